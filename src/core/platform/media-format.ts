/** What a media type takes (临时素材 page): formats found in the bytes, and a size limit. */
export const MEDIA_RULES = {
  // The page's 其他补充 says 10 MB; its 注意事项 and 2016–2020 copies say 2 MB: the newest statement wins.
  image: { formats: ["jpg", "png", "gif", "bmp"], maxBytes: 10 * 1024 * 1024 },
  voice: { formats: ["amr", "mp3"], maxBytes: 2 * 1024 * 1024 },
  video: { formats: ["mp4"], maxBytes: 10 * 1024 * 1024 },
  thumb: { formats: ["jpg"], maxBytes: 64 * 1024 },
} as const;

export type MediaType = keyof typeof MEDIA_RULES;

/** The Content-Type media/get answers with, per format. */
export const MEDIA_MIME: Record<string, string> = {
  jpg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  bmp: "image/bmp",
  amr: "audio/amr",
  mp3: "audio/mpeg",
  mp4: "video/mp4",
};

/** The format of a file by its first bytes (the platform checks the file, not its name); undefined if none fits. */
export function sniffFormat(bytes: Buffer): string | undefined {
  const starts = (...values: number[]) => values.every((value, index) => bytes[index] === value);
  if (starts(0xff, 0xd8, 0xff)) return "jpg";
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return "png";
  if (bytes.subarray(0, 4).toString("latin1") === "GIF8") return "gif";
  if (bytes.subarray(0, 2).toString("latin1") === "BM") return "bmp";
  if (bytes.subarray(0, 5).toString("latin1") === "#!AMR") return "amr";
  if (bytes.subarray(0, 3).toString("latin1") === "ID3" || (bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xe0) === 0xe0))
    return "mp3";
  if (bytes.subarray(4, 8).toString("latin1") === "ftyp") return "mp4";
  return undefined;
}
