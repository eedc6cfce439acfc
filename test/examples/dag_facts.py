"""Prints, as JSON, what each given Python file imports, which calls it makes with which keyword
arguments, which dict keys it writes and which strings and subscript keys it holds: read with the
standard library's ast, the file is never run."""
import ast
import json
import sys


def dotted(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return None if base is None else base + "." + node.attr
    return None


def facts(path):
    tree = ast.parse(open(path, encoding="utf-8").read(), filename=path)
    imports, calls, keys, strings, subscripts = [], [], [], [], []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imports += [{"name": alias.name, "line": node.lineno} for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imports += [
                {"name": node.module + "." + alias.name, "line": node.lineno} for alias in node.names
            ]
        elif isinstance(node, ast.Call):
            calls.append(
                {
                    "callee": dotted(node.func),
                    "kwargs": [k.arg for k in node.keywords if k.arg is not None],
                    "line": node.lineno,
                }
            )
        elif isinstance(node, ast.Dict):
            keys += [
                {"key": k.value, "line": k.lineno}
                for k in node.keys
                if isinstance(k, ast.Constant) and isinstance(k.value, str)
            ]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            strings.append({"text": node.value, "line": node.lineno})
        elif isinstance(node, ast.Subscript):
            index = node.slice
            if isinstance(index, ast.Constant) and isinstance(index.value, str):
                subscripts.append({"key": index.value, "line": node.lineno})
    return {
        "imports": imports,
        "calls": calls,
        "keys": keys,
        "strings": strings,
        "subscripts": subscripts,
    }


print(json.dumps({path: facts(path) for path in sys.argv[1:]}))
