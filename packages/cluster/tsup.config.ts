import { defineConfig } from 'tsup';
import { libraryBuild } from '../../config/tsup.library';

export default defineConfig(libraryBuild());
