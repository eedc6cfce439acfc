// typescript-eslint's recommended rules over the package, its programs and its tests.
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "dist/", "out/", ".node/"] },
    eslint.configs.recommended,
    tseslint.configs.recommended,
    {
        files: ["**/*.js", "**/*.mjs"],
        languageOptions: {
            globals: { module: "writable", require: "readonly", process: "readonly" },
        },
    },
);
