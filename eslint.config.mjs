import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { editorGlobals, editorHtmlProcessor } from './scripts/eslint-editor-html.mjs';

export default tseslint.config(
  // (the script blocks of nodes/*.html are linted: their virtual files are nodes/<name>.html/<n>.js)
  { ignores: ['nodes/**/*.js', '!nodes/*.html/*.js', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      // Type-aware rules read the program of tsconfig.json (src, test, bench and scripts).
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: {
        require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly',
        __dirname: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly',
        setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
      // A promise nobody awaits or catches is an unhandled rejection waiting to happen.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // Node-RED node constructors keep `const node = this` for the handlers they register.
      '@typescript-eslint/no-this-alias': 'off',
    },
  },
  // Plain JavaScript (scripts/start.js, this file) is outside the TypeScript program.
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  // The editor code in nodes/*.html: each script block, as the browser runs it (ES5-style, no modules).
  { files: ['nodes/*.html'], processor: editorHtmlProcessor },
  {
    files: ['nodes/*.html/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { sourceType: 'script', globals: editorGlobals },
    rules: {
      ...tseslint.configs.disableTypeChecked.rules,
      // Node-RED tells a validator that returns messages from an old-style one by its arity:
      // `validate: function(v, opt)` must keep its `opt` even where it is not read.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^opt$' }],
      'no-var': 'off',
      'prefer-const': 'off',
    },
  },
);
