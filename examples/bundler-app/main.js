// The bundler target needs no init(): importing the package instantiates the wasm module.
import * as rtc from "rtc-peer";
import { runTests } from "../../tests/js/harness.js";
import { tests } from "../../tests/js/suite.js";

runTests("bundler", tests(rtc));
