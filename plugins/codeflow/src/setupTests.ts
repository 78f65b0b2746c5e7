import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// findBy*/waitFor give up after 1 s by default; Material UI pages rendered by jsdom on a busy
// 2-core CI machine (several jest workers, the local cloud) can take longer than that
configure({ asyncUtilTimeout: 10_000 });
