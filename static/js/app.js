// Start the NHS.UK frontend components (header menu, character counts, conditional radios...).
// The relative import reaches the unhashed copy that collectstatic keeps beside the hashed one.
import { initAll } from "../vendor/nhsuk-frontend/nhsuk-frontend.min.js";
import "./panels.js";

initAll();
