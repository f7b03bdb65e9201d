import { packageTestConfig } from '../../config/vitest.package.ts';

export default packageTestConfig;
