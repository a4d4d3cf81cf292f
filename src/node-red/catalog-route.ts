/**
 * Serves the protocol catalogue (languages, voices, validation) to the editor as a script, so the
 * edit dialog checks a configuration with the very function the runtime uses.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeAPI } from 'node-red';

export function serveCatalog(RED: NodeAPI): void {
  let script: string | undefined;
  RED.httpAdmin.get('/qwen-livetranslate/catalog.js', RED.auth.needsPermission('livetranslate-session.read'), (_req, res) => {
    try {
      if (!script) {
        const source = readFileSync(join(__dirname, '..', 'protocol', 'catalog.js'), 'utf8');
        script = `(function(){var exports={};var module={exports:exports};\n${source}\nwindow.QwenLiveTranslate=module.exports;})();\n`;
      }
      res.type('application/javascript').send(script);
    } catch (e) {
      res.status(500).type('text/plain').send(`catalogue unavailable: ${(e as Error).message}`);
    }
  });
}
