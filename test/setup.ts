// Node 20 lacks Promise.withResolvers, which libp2p 3 needs (Electron's Node has it).
import '../src/node-core/polyfills.js';
