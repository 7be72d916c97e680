import type { Command } from "commander";
import type { Cli } from "../context.js";
import { startLikeCommand } from "./start.js";

/** `wxdev restart`: stops the instance wxdev started and starts the live release again. */
export function restartCommand(cli: Cli): Command {
  return startLikeCommand(cli, "restart");
}
