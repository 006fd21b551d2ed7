// The conformance corpus on the emulated Uno (simavr), interpreted and AOT (suite.ts).

import { conformanceSuite } from "./suite.js";

conformanceSuite("avr");
