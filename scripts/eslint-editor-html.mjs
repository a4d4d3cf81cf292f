/**
 * ESLint for the editor JavaScript inside nodes/*.html. Node-RED (and the Flow Library's scorecard)
 * read each node's `registerType` from its .html file, so the code stays there; this processor hands
 * ESLint every `<script type="text/javascript">` block as a file of its own, padded with blank lines
 * so that reported lines and columns are those of the .html file.
 */
const SCRIPT = /(<script\b[^>]*type=["']text\/javascript["'][^>]*>)([\s\S]*?)<\/script>/gi;

export const editorHtmlProcessor = {
  meta: { name: 'livetranslate-editor-html' },
  preprocess(text) {
    const blocks = [];
    for (const m of text.matchAll(SCRIPT)) {
      const before = text.slice(0, m.index + m[1].length);
      const lines = before.split('\n');
      // the code's first line starts after the opening tag: pad that line with spaces
      const pad = '\n'.repeat(lines.length - 1) + ' '.repeat(lines[lines.length - 1].length);
      blocks.push({ text: pad + m[2], filename: `${blocks.length}.js` });
    }
    return blocks;
  },
  postprocess(messages) {
    return messages.flat();
  },
  supportsAutofix: false,
};

/** What the editor's pages give the nodes' code: the browser, jQuery and Node-RED's RED. */
export const editorGlobals = {
  window: 'readonly', document: 'readonly', navigator: 'readonly', console: 'readonly',
  setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly',
  $: 'readonly', jQuery: 'readonly', RED: 'readonly',
};
