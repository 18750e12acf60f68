import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// The test machines have two cores shared with other work: lazy-loaded pages
// and debounced graphs can take more than the default second to appear, and
// a test that drives several pages with userEvent more than five seconds.
configure({ asyncUtilTimeout: 5_000 });
jest.setTimeout(30_000);
