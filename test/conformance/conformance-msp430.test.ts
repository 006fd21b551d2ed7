// The conformance corpus on the emulated MSP430G2553 (mspdebug sim), interpreted and AOT (suite.ts).

import { conformanceSuite } from "./suite.js";

conformanceSuite("msp430");
