// ESLint for every workspace: JavaScript's and typescript-eslint's recommended rules (no type-aware rules, so it
// stays fast), Node globals, and eslint-config-prettier last so layout is Prettier's job alone.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores([
    '**/dist/',
    '**/.bench/',
    '**/.turbo/',
    '**/node_modules/',
    'bench-out/',
    // AssemblyScript (i32/f64 types), compiled by packages/cluster/scripts/build-wasm.mjs, not by tsc.
    'packages/cluster/wasm/',
  ]),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // Hot loops declare their scalars with an initial value that the loop overwrites; that is deliberate.
      'no-useless-assignment': 'off',
      // `_name` marks a parameter or binding kept for its position or shape.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  prettier,
);
