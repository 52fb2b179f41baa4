import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();

// ES module, loaded with <script type="module">. The relative path lets
// ManifestStaticFilesStorage (support_js_module_import_aggregation = True)
// rewrite it to the hashed file name. Keep comments below the statement:
// Django's pattern can start matching at the word "import" followed by a space
// inside a comment above it, and then skips the real statement.
