import { packageTestConfig } from '../../config/vitest.package';

export default packageTestConfig;
