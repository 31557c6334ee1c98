import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.labpilot/**', 'templates/**', 'python/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Core stays independent of the UI (docs/architecture.md): only src/ui may import ink or react.
    files: ['src/**/*.ts'],
    ignores: ['src/ui/**', 'src/commands/**', 'src/cli.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['ink', 'react'] }],
    },
  },
);
