#!/usr/bin/env node
import { main } from "../dist/bundle/index.js";

process.exitCode = await main(process.argv.slice(2));
