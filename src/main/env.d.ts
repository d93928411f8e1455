// electron-vite's import queries (`?modulePath`) used by the main bundle.
/// <reference types="electron-vite/node" />
