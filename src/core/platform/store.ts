import { createHash } from "node:crypto";
import { Clock } from "./clock.js";
import type { Menu } from "./menu-rules.js";
import { Quotas, type QuotaState } from "./quota.js";
import { RidLog } from "./rid.js";
import { fixtureOpenId, FIXTURE_USERS } from "./sns-users.js";
import { OAuthStore } from "./sns-store.js";
import { Tokens } from "./tokens.js";
import { PlatformEvents } from "./events.js";
import { fixtureTemplate, type Template } from "./template-data.js";

export type { Template };

/** A customer-service window: opened by an interaction, with so many messages allowed (see message.ts). */
export interface CsWindow {
  kind: "message" | "action";
  openedAt: number;
  used: number;
}

/** One user of the account: a follower, or one who unfollowed (kept so that 45015/43004 can be told). */
export interface Follower {
  openid: string;
  subscribed: boolean;
  subscribeTime: number;
  subscribeScene: string;
  qrScene: number;
  qrSceneStr: string;
  remark: string;
  language: string;
  window?: CsWindow;
  /** The last message either way (customer-service typing needs one within 30 s). */
  lastExchangeAt?: number;
  typingUntil?: number;
}

/** A temporary media file (media/upload), kept 3 days of the mock's clock. */
export interface MediaItem {
  id: string;
  type: "image" | "voice" | "video" | "thumb";
  /** The format found in the bytes: jpg, png, gif, bmp, amr, mp3, mp4. */
  format: string;
  bytes: Buffer;
  createdAt: number;
}

/** A QR code with a scene (qrcode/create). */
export interface QrCode {
  ticket: string;
  url: string;
  action: string;
  sceneId?: number;
  sceneStr?: string;
  createdAt: number;
  /** Seconds; none for a permanent code. */
  expireSeconds?: number;
}

/** Temporary media live 3 days of the mock's clock (media/upload's page). */
export const MEDIA_LIFE_MS = 3 * 86_400_000;

/** Followers kept at most (a scan without --openid makes a new one); past it the oldest non-follower goes. */
export const MAX_FOLLOWERS = 10_000;
/** Media bytes kept at most; past it the oldest files go (a note in the log says so). */
export const MAX_MEDIA_BYTES = 256 * 1024 * 1024;
/** QR codes kept at most (permanent ones: the platform's own cap is 100,000). */
export const MAX_QRCODES = 100_000;

/** The account's `gh_` id (ToUserName of what it pushes), derived from the appId so it stays the same. */
export function accountId(appId: string): string {
  return `gh_${createHash("sha256").update(appId).digest("hex").slice(0, 12)}`;
}

/**
 * Everything the mock platform knows, on one clock: the account's lasting state (menu, followers, media,
 * templates, QR codes, quotas: what `--state` keeps) and its passing state (tokens, rids, OAuth codes).
 */
export class PlatformStore {
  readonly clock: Clock;
  readonly tokens: Tokens;
  readonly quotas: Quotas;
  readonly rids = new RidLog();
  readonly oauth: OAuthStore;
  readonly events = new PlatformEvents();
  readonly accountId: string;

  menu: Menu | undefined;
  menuId = 0;
  readonly followers = new Map<string, Follower>();
  readonly media = new Map<string, MediaItem>();
  mediaBytes = 0;
  readonly templates = new Map<string, Template>();
  readonly qrcodes = new Map<string, QrCode>();
  nextMsgId = 2_000_000_001;
  /** Called after every change to the lasting state (the state file's writer). */
  onChange?: () => void;

  constructor(
    readonly appId: string,
    now: () => number = Date.now,
  ) {
    this.clock = new Clock(now);
    this.tokens = new Tokens(this.clock);
    this.quotas = new Quotas(() => this.clock.now());
    this.oauth = new OAuthStore(() => this.clock.now());
    this.accountId = accountId(appId);
    this.seed();
  }

  /**
   * The fixture users follow from the start, a week ago (the same people as the OAuth consent page), and the
   * account has one template.
   */
  private seed(): void {
    const since = this.clock.seconds() - 7 * 86_400;
    FIXTURE_USERS.forEach((_user, index) => {
      const openid = fixtureOpenId(this.appId, index);
      this.followers.set(openid, newFollower(openid, since + index * 3_600, "ADD_SCENE_SEARCH"));
    });
    const template = fixtureTemplate(this.appId);
    this.templates.set(template.template_id, template);
  }

  changed(): void {
    this.onChange?.();
  }

  /** Adds (or re-follows) a user; the oldest who unfollowed make room past MAX_FOLLOWERS. */
  follow(openid: string, scene: string, qr?: QrCode): Follower {
    const existing = this.followers.get(openid);
    const follower = existing ?? newFollower(openid, this.clock.seconds(), scene);
    Object.assign(follower, {
      subscribed: true,
      subscribeTime: this.clock.seconds(),
      subscribeScene: scene,
      qrScene: qr?.sceneId ?? 0,
      qrSceneStr: qr?.sceneStr ?? "",
    });
    if (existing === undefined) {
      if (this.followers.size >= MAX_FOLLOWERS) {
        const gone =
          [...this.followers.values()].find((user) => !user.subscribed) ?? this.followers.values().next().value;
        if (gone !== undefined) this.followers.delete(gone.openid);
      }
      this.followers.set(openid, follower);
    }
    this.changed();
    return follower;
  }

  /** A media file that is still alive (3 days of the mock's clock), else undefined. */
  liveMedia(id: string): MediaItem | undefined {
    const item = this.media.get(id);
    return item !== undefined && item.createdAt * 1000 + MEDIA_LIFE_MS > this.clock.now() ? item : undefined;
  }

  /** Keeps a media file; past MAX_MEDIA_BYTES the expired, then the oldest, go. Returns the live ids dropped. */
  keepMedia(item: MediaItem): string[] {
    const dropped: string[] = [];
    for (const old of this.media.values()) {
      const expired = this.liveMedia(old.id) === undefined;
      if (!expired && this.mediaBytes + item.bytes.length <= MAX_MEDIA_BYTES) continue;
      this.media.delete(old.id);
      this.mediaBytes -= old.bytes.length;
      if (!expired) dropped.push(old.id);
    }
    this.media.set(item.id, item);
    this.mediaBytes += item.bytes.length;
    this.changed();
    return dropped;
  }

  /** A fresh template send's msgid (a safe integer: JavaScript clients read it whole). */
  takeMsgId(): number {
    this.nextMsgId += 1;
    return this.nextMsgId;
  }

  /** The lasting state as JSON-ready data (never the app secret, tokens or codes). */
  snapshot(): SavedState {
    return {
      version: 1,
      appId: this.appId,
      clockOffsetMs: this.clock.offset,
      menu: this.menu ?? null,
      menuId: this.menuId,
      followers: [...this.followers.values()],
      media: [...this.media.values()].map((item) => ({ ...item, bytes: item.bytes.toString("base64") })),
      templates: [...this.templates.values()],
      qrcodes: [...this.qrcodes.values()],
      quotas: this.quotas.state,
      nextMsgId: this.nextMsgId,
    };
  }

  /** Takes back a snapshot (the state file was checked by state-file.ts). */
  restore(saved: SavedState): void {
    this.clock.restore(saved.clockOffsetMs);
    this.menu = saved.menu ?? undefined;
    this.menuId = saved.menuId;
    this.followers.clear();
    for (const follower of saved.followers) this.followers.set(follower.openid, follower);
    this.media.clear();
    this.mediaBytes = 0;
    for (const item of saved.media) {
      const bytes = Buffer.from(item.bytes, "base64");
      this.media.set(item.id, { ...item, bytes });
      this.mediaBytes += bytes.length;
    }
    this.templates.clear();
    for (const template of saved.templates) this.templates.set(template.template_id, template);
    this.qrcodes.clear();
    for (const code of saved.qrcodes) this.qrcodes.set(code.ticket, code);
    this.quotas.state = saved.quotas;
    this.nextMsgId = saved.nextMsgId;
  }
}

/** What `--state FILE` holds. */
export interface SavedState {
  version: 1;
  appId: string;
  clockOffsetMs: number;
  menu: Menu | null;
  menuId: number;
  followers: Follower[];
  media: (Omit<MediaItem, "bytes"> & { bytes: string })[];
  templates: Template[];
  qrcodes: QrCode[];
  quotas: QuotaState;
  nextMsgId: number;
}

function newFollower(openid: string, subscribeTime: number, scene: string): Follower {
  return {
    openid,
    subscribed: true,
    subscribeTime,
    subscribeScene: scene,
    qrScene: 0,
    qrSceneStr: "",
    remark: "",
    language: "zh_CN",
  };
}
