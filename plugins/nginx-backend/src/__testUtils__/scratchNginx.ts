// the scratch nginx lives in the package's `testing` entry point, for other packages' tests too
export * from '../testing/scratchNginx';
