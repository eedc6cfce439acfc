#!/bin/sh
# DAG installer entry point, run by the dag-installer chart with ACTION set:
#   copy      copy every file under $SOURCE_DIR into $TARGET_DIR (Airflow's mounted folders)
#   remove    delete the files this image would copy, then the folders that are left empty
#   prefetch  keep running, so the node keeps the image pulled
# Only the top-level folders dags, plugins and mounted_scripts are accepted.
set -eu

SOURCE_DIR="${SOURCE_DIR:-/kaapana/tmp}"
TARGET_DIR="${TARGET_DIR:-/kaapana/mounted/workflows}"
ACTION="${ACTION:-copy}"

fail() {
    echo "install.sh: $*" >&2
    exit 1
}

[ -d "$SOURCE_DIR" ] || fail "source folder $SOURCE_DIR does not exist"

# Refuse the whole image before touching anything if it carries an unknown top-level entry.
for entry in "$SOURCE_DIR"/* "$SOURCE_DIR"/.[!.]*; do
    [ -e "$entry" ] || continue
    name=$(basename "$entry")
    case "$name" in
        dags | plugins | mounted_scripts) [ -d "$entry" ] || fail "$name must be a folder" ;;
        *) fail "unknown top-level entry '$name' in $SOURCE_DIR (expected dags, plugins, mounted_scripts)" ;;
    esac
done

copy() {
    for top in dags plugins mounted_scripts; do
        [ -d "$SOURCE_DIR/$top" ] || continue
        (cd "$SOURCE_DIR" && find "$top" -type f) | while IFS= read -r file; do
            mkdir -p "$TARGET_DIR/$(dirname "$file")"
            cp "$SOURCE_DIR/$file" "$TARGET_DIR/$file"
            echo "copied $file"
        done
    done
}

remove() {
    for top in dags plugins mounted_scripts; do
        [ -d "$SOURCE_DIR/$top" ] || continue
        (cd "$SOURCE_DIR" && find "$top" -type f) | while IFS= read -r file; do
            if [ -e "$TARGET_DIR/$file" ]; then
                rm -f "$TARGET_DIR/$file"
                echo "removed $file"
            fi
        done
        # Deepest first; the top-level folder is Airflow's mount and stays.
        (cd "$SOURCE_DIR" && find "$top" -depth -type d) | while IFS= read -r dir; do
            if [ "$dir" != "$top" ] && [ -d "$TARGET_DIR/$dir" ] && [ -z "$(ls -A "$TARGET_DIR/$dir")" ]; then
                rmdir "$TARGET_DIR/$dir"
                echo "removed empty folder $dir"
            fi
        done
    done
}

case "$ACTION" in
    copy) copy ;;
    remove) remove ;;
    prefetch) while :; do sleep 3600; done ;;
    *) fail "ACTION must be copy, remove or prefetch, got '$ACTION'" ;;
esac
