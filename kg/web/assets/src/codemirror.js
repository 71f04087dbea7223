// The pieces of CodeMirror 6 the query editor uses, exposed as the global `CM`.
export { EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection,
         placeholder } from "@codemirror/view";
export { EditorState } from "@codemirror/state";
export { StreamLanguage, syntaxHighlighting, defaultHighlightStyle, bracketMatching,
         indentOnInput } from "@codemirror/language";
export { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
export { autocompletion, completionKeymap, closeBrackets, closeBracketsKeymap,
         startCompletion } from "@codemirror/autocomplete";
export { sparql } from "@codemirror/legacy-modes/mode/sparql";
