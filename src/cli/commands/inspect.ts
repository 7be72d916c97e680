import { Command, Option } from "commander";
import type { Cli } from "../context.js";
import { addCryptoOptions, type CryptoFlags } from "../messages/crypto-options.js";
import { withExamples } from "../help.js";
import { DEFAULT_INSPECT_PORT } from "../exchanges/inspector.js";
import { portParser, settingOption } from "../options.js";
import { onStop } from "../on-stop.js";
import type { Mode } from "../../core/wire/modes.js";

interface InspectOptions extends CryptoFlags {
  port: number;
  url?: string;
  mode?: Mode;
}

/** `wxdev inspect FILE.ndjson`: a recording (tunnel --record, the page's Save) on the inspector page. */
export function inspectCommand(cli: Cli): Command {
  const command = addCryptoOptions(new Command("inspect"))
    .argument("<file>", "an NDJSON recording (wxdev tunnel --record, or the inspector's Save)")
    .addOption(
      new Option("--port <port>", "port of the page on 127.0.0.1 (0 = any free port)")
        .argParser(portParser())
        .default(DEFAULT_INSPECT_PORT),
    )
    .addOption(settingOption("url", "where Replay sends the recorded messages (the callback URL)"))
    .addOption(settingOption("mode", "the mode Replay sends in (default: the recorded one's)"))
    .addHelpText(
      "after",
      "\nThe Token, EncodingAESKey and appId (flags, WXDEV_* or the config file) check the signatures and open" +
        "\nsafe-mode messages; with a url, Replay sends a record again and compares the answers.",
    )
    .action(async (file: string, options: InspectOptions, self: Command) => {
      const out = cli.output(self);
      const { settings } = cli.settings(self, options);
      const { readTextFile } = await import("../../core/support/read-file.js");
      const { parseRecords } = await import("../../core/wire/exchange-record.js");
      const { openInspector, replayTarget } = await import("../exchanges/inspector.js");
      const records = parseRecords(await readTextFile(file, { hint: "check the recording's path" }), file);
      const replay = await replayTarget(settings, settings.url);
      const inspector = await openInspector(out, {
        flag: options.port,
        title: file,
        settings,
        ...replay,
        portFlag: "--port",
      });
      for (const record of records) inspector.log.add(record, "recording");
      const kept = Math.min(records.length, inspector.log.keep);
      const shown = kept < records.length ? `the last ${kept} of ${records.length}` : `${records.length}`;
      if (out.json) out.line(JSON.stringify({ file, records: records.length, shown: kept }));
      else {
        out.line(`${shown} exchanges from ${file}; Replay ${replay.target ? `sends to ${replay.target.url}` : "off"}`);
        out.line(out.c.dim("Press Ctrl-C to stop."));
      }
      await onStop().stopped;
      await inspector.close();
    });
  return withExamples(command, [
    "wxdev inspect today.ndjson",
    "wxdev inspect today.ndjson --url http://127.0.0.1:8013/wechat8013 --port 0",
  ]);
}
