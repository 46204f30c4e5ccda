/**
 * The parts of node-forge the assistant uses: ASN.1, its byte buffers, and RC2 for old PKCS#12
 * files. Loading these alone instead of the whole library (TLS, SSH, every cipher) keeps each
 * `anaplan-setup` start short.
 */
import forge from 'node-forge/lib/forge.js';
import 'node-forge/lib/asn1.js';
import 'node-forge/lib/util.js';
import 'node-forge/lib/rc2.js';

export default forge;
