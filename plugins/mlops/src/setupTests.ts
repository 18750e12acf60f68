import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// The test machines have two cores shared with other work: lazy-loaded pages
// and debounced graphs can take more than the default second to appear, and
// a test that drives several pages with userEvent more than five seconds.
// Under a load average of 20 (the whole suite with engines running) 5 s
// was seen to fall short for the first render of a lazy page.
configure({ asyncUtilTimeout: 15_000 });
jest.setTimeout(60_000);
