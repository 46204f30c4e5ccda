declare const __APP_VERSION__: string | undefined;

/** Set at build time from package.json; tests running the sources see "dev". */
export const APP_VERSION: string = typeof __APP_VERSION__ === 'string' ? __APP_VERSION__ : 'dev';

export const PRODUCT_NAME = 'Anaplan Connect Setup Assistant';
