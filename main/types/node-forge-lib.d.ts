// node-forge's own modules, loaded one by one (main/pki/forge.ts); their API is node-forge's.
declare module 'node-forge/lib/forge.js' {
  import forge from 'node-forge';
  export default forge;
}
declare module 'node-forge/lib/asn1.js';
declare module 'node-forge/lib/util.js';
declare module 'node-forge/lib/rc2.js';
