// typescript-eslint's recommended rules over the package, its programs and its tests.
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "dist/", "out/", ".node/", "schema/"] },
    eslint.configs.recommended,
    tseslint.configs.recommended,
    {
        files: ["**/*.js", "**/*.mjs"],
        languageOptions: {
            globals: {
                module: "writable",
                require: "readonly",
                process: "readonly",
                __dirname: "readonly",
            },
        },
    },
    {
        // The jest configuration and its helpers are CommonJS: jest loads them with require.
        files: ["**/*.js"],
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
);
