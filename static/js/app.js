// Start the NHS.UK frontend components (header menu, character counts, conditional radios...).
import { initAll } from "../vendor/nhsuk-frontend/nhsuk-frontend.min.js";

initAll();
