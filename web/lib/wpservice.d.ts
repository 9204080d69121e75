// Type declarations for wpservice.js, the client of the wpservice engine.
// The wire protocol these types mirror is docs/protocol.md.

/** Every command name of the protocol. */
export declare const COMMANDS: readonly string[];
/** Every event name of the protocol. */
export declare const EVENTS: readonly string[];
/** The connection states a page tells its user about. */
export declare const STATUSES: readonly Status[];

export type Status =
  | "connecting"        // looking for the engine
  | "not-running"       // nothing listens on the engine's ports: install or start it
  | "permission-needed" // Chrome's Local Network Access will ask: call connectNow() from a click
  | "permission-denied" // the browser refuses loopback access to this page (or it is not a secure context)
  | "iframe-blocked"    // in a cross-origin iframe without allow="loopback-network"
  | "pairing"           // the engine asks its user to approve this site; see Phone.pairing
  | "not-approved"      // the engine refuses this site (pairing off, denied, revoked); see Phone.lastError
  | "update-needed"     // the engine is older than minVersion; offer Phone.downloadUrl
  | "connected"
  | "disconnected"      // was connected; reconnecting with backoff
  | "closed";           // close() was called

export type Permission = "read" | "control" | "account" | "admin";

/** Protocol error codes, plus the client's own (not_connected, disconnected, closed). */
export type ErrorCode =
  | "bad_request" | "unknown_command" | "invalid_args" | "invalid_state" | "not_found" | "no_free_line"
  | "no_account" | "unauthorized" | "forbidden" | "unavailable" | "internal" | "pairing_required"
  | "rate_limited" | "not_connected" | "disconnected" | "closed" | "update_needed";

/** Whether version is older than min (dotted numbers; "dev" is never too old). */
export declare function olderThan(version: string, min: string): boolean;

export declare class WpsError extends Error {
  constructor(code: ErrorCode | string, message?: string, data?: unknown);
  readonly code: ErrorCode | string;
  readonly data: unknown;
}

export interface Account {
  server: string;
  username: string;
  authUsername: string;
  hasPassword: boolean;
  displayName: string;
  transport: "udp" | "tcp" | "tls" | "";
  outboundProxy: string;
  registerInterval: number;
  codecs: string[];
  register: boolean;
  /** SRTP policy; absent means "off". */
  mediaEncryption?: "off" | "optional" | "mandatory";
  /** What is dialled for its voicemail (Mizu's voicemailnum, per account); absent: none. */
  voicemailNumber?: string;
}

export interface AccountFields {
  server?: string;
  username?: string;
  authUsername?: string;
  password?: string;
  displayName?: string;
  transport?: "udp" | "tcp" | "tls";
  outboundProxy?: string;
  registerInterval?: number;
  codecs?: string[];
  register?: boolean;
  mediaEncryption?: "off" | "optional" | "mandatory";
  voicemailNumber?: string;
}

export interface RegState {
  /** The id of the account whose registration it is (absent from engines before several accounts). */
  account?: string;
  state: "unregistered" | "registering" | "registered" | "failed";
  code?: number;
  reason?: string;
  expires?: number;
  retry?: number;
}

export interface Cause {
  kind: "local_hangup" | "remote_hangup" | "rejected" | "failed" | "rtp_timeout" | "network_changed" | "encryption_required" | "incompatible_media" | "session_expired" | "transferred" | "forwarded" | "refused" | "timeout" | "shutdown";
  code?: number;
  reason?: string;
}

export interface CallState {
  line: number;
  callId: string;
  sipCallId: string;
  direction: "outgoing" | "incoming";
  peer: string;
  peerUser: string;
  peerName: string;
  state: "dialing" | "incoming" | "ringing" | "early" | "active" | "ended";
  muted: boolean;
  held: boolean;
  remoteHeld: boolean;
  ignored?: boolean;
  codec?: string;
  /** The media runs SRTP both ways; absent when not. */
  encrypted?: boolean;
  sipCode?: number;
  cause?: Cause;
  startedAt: number;
  answeredAt?: number;
  endedAt?: number;
  /** A member of the local conference (conference.add). */
  conference?: boolean;
  /** The id of the account the call is on. */
  account?: string;
  /** Our call was picked up while it rang (an INVITE with Replaces, RFC 3891): the party that took it, now its peer. */
  pickedUpBy?: string;
  /** In the event of the call's end, when it had media: its last figures. */
  stats?: CallStats;
}

/** A call's media figures and estimated quality (call.stats, docs/protocol.md 4.22a). Times in ms. */
export interface CallStats {
  callId: string;
  line: number;
  codec: string;
  packetsSent: number;
  bytesSent: number;
  packetsReceived: number;
  bytesReceived: number;
  expected: number;
  lost: number;
  lossPct: number;
  intervalLoss: number;
  late: number;
  discarded: number;
  duplicate: number;
  jitterMs: number;
  bufferMs: number;
  /** The delay the adaptive jitter buffer aims at. */
  targetMs: number;
  /** Frames filled by loss concealment. */
  concealed: number;
  /** Frames the jitter buffer dropped or inserted, in quiet audio, to reach its target. */
  bufferDropped: number;
  bufferInserted: number;
  /** Comfort noise packets (RFC 3389) sent in our silences and received in the peer's. */
  cnSent: number;
  cnReceived: number;
  rttMs: number;
  rtcpSent: number;
  rtcpReceived: number;
  peerLossPct: number;
  peerLost: number;
  peerJitterMs: number;
  /** The peer's RTCP XR VoIP metrics about our audio, when it sends them. */
  peerXr?: { lossPct: number; discardPct: number; rttMs: number; endSystemMs: number; rFactor?: number; mosLq?: number; mosCq?: number };
  /** ITU-T E-model estimate: R 0..100 (G.107; 0..129 with wideband), MOS 1..4.5. */
  rFactor: number;
  mos: number;
  /** R and MOS are on G.107.1's wideband scale (R up to 129): G.722 and Opus. */
  wideband?: boolean;
}

/** One ended call in the engine's history (history.list, call.cdr). */
export interface CallRecord {
  id: number;
  callId: string;
  sipCallId: string;
  direction: "outgoing" | "incoming";
  account: string;
  peer: string;
  peerUser: string;
  peerName: string;
  startedAt: number;
  answeredAt?: number;
  endedAt: number;
  durationMs: number;
  cause: Cause;
  endedBy: "local" | "remote" | "system";
  codec?: string;
  transferredTo?: string;
  conference?: boolean;
}

export interface HistoryQuery {
  limit?: number;   // 1..500, default 50
  before?: number;  // the previous page's next
  peer?: string;    // substring of the peer's URI, user or name
  from?: number;    // unix ms, calls started at or after
  to?: number;      // unix ms, calls started before
}

export interface HistoryPage {
  calls: CallRecord[];
  next?: number;
}

/** An instant message, either way (chat.list, chat.message). */
export interface ChatMessage {
  id: number;
  direction: "outgoing" | "incoming";
  account: string;
  /** The conversation: user@host of the peer's URI. */
  peer: string;
  peerUri: string;
  peerName?: string;
  /** Unix ms, when it was received or sent. */
  time: number;
  text: string;
  state: "received" | "sent" | "delivered" | "displayed" | "failed";
  /** The final SIP answer to ours, once it came. */
  code?: number;
  reason?: string;
  read: boolean;
}

export interface ChatQuery {
  peer?: string;   // a conversation's peer, or a number, user or URI
  before?: number; // the previous page's next
  limit?: number;  // 1..500, default 50
  account?: string; // the id of an account (accounts.list): its messages only
}

export interface ChatPage {
  messages: ChatMessage[];
  next?: number;
}

export interface Conversations {
  conversations: { peer: string; last: ChatMessage; unread: number }[];
  unread: number;
}

/** The delivery of a message we sent (chat.status). */
export interface ChatStatus {
  id: number;
  peer: string;
  state: "delivered" | "displayed" | "failed";
  code?: number;
  reason?: string;
}

export interface Device {
  id: string;
  name: string;
  default?: boolean;
}

export interface Devices {
  backend: string;
  inputs: Device[];
  outputs: Device[];
  selectedInput: string;
  selectedOutput: string;
  selectedRinger: string;
  inputVolume: number;
  outputVolume: number;
  ringerVolume: number;
}

export interface Settings {
  rtpTimeout: number;
  autoAnswer: boolean;
  /** Hold the call being left when turning to another line (default true). */
  autoHold: boolean;
  dtmfDelayMs: number;
  maxLines: number;
  /** Seconds an outgoing call may ring before the engine cancels it; 0 = no limit. */
  ringTimeoutOut: number;
  /** Seconds a call may last from its answer; 0 = no limit. */
  callTimeout: number;
  /** What a peer's REFER gets: call its target, ask the page (call.referred), or 603. */
  transferIncoming: "accept" | "ask" | "refuse";
  audioInput: string;
  audioOutput: string;
  /** Do not disturb: every incoming call is refused with dndAction. */
  dnd: boolean;
  dndAction: "busy" | "decline";
  /** Callers refused with 603, comma-separated users, numbers or URIs. */
  blockList: string;
  rejectWhenBusy: boolean;
  forwardAlways: string;
  forwardOnBusy: string;
  forwardOnNoAnswer: string;
  /** Seconds an incoming call rings; 0 = until the caller gives up. */
  ringTimeout: number;
  /** Answer a call whose INVITE asks for it (Call-Info answer-after, Answer-Mode, Alert-Info). */
  autoAnswerHeaders: boolean;
  /** The microphone's echo cancellation, noise suppression and gain control: auto is on unless a headset is in use. */
  aec: "auto" | "on" | "off";
  denoise: "auto" | "on" | "off";
  agc: "auto" | "on" | "off";
  /** Comfort noise (RFC 3389) instead of the microphone's silences, where the peer takes it: auto is off on a desktop. */
  silenceSuppression: "auto" | "on" | "off";
  /** The adaptive jitter buffer's bounds, in ms (set in the config file). */
  jitterMinMs: number;
  jitterMaxMs: number;
  /** The packet time, in ms, the engine's SDP asks of peers (set in the config file). */
  ptime: number;
  /** The call-progress tones the engine plays itself (ringback, busy, congestion, call waiting). */
  tonePlan: "us" | "uk" | "eu";
  /** A WAV file name in the engine's sounds folder the ringer plays; "" = the built-in ring. */
  ringtone: string;
  /** Record every call from its answer (to the engine's recordings folder). */
  recordCalls: boolean;
  /** The recordings' file name template: {date} {time} {direction} {peer} {callid} {line}. */
  recordingName: string;
  /** The recordings' format: a stereo WAV, or stereo Opus in Ogg (a .opus file). */
  recordFormat: "wav" | "ogg";
  /** Subscribe to the account's voicemail box while registered (default true). */
  mwi: boolean;
  /** Take the voicemail NOTIFYs a server sends without a subscription. */
  mwiUnsolicited: boolean;
  /** What the page dials for voicemail; "" = none. */
  voicemailNumber: string;
  /** Our presence, as setpresencestatus sets it. */
  presenceStatus: "online" | "away" | "dnd" | "invisible" | "offline";
  /** PUBLISH our presence to the account's server while registered. */
  publishPresence: boolean;
  /** Publish busy while a call is up (when online; default true). */
  presenceBusyOnCall: boolean;
  /** The directed-pickup feature code dialled before a ringing colleague's number; "" = Replaces. */
  blfPickup: string;
  /** Send messages in a CPIM envelope asking for a delivery notification (RFC 5438). */
  imdn: boolean;
  /** Read receipts: ask for display notifications, and send them when chat.read marks a conversation read (RFC 5438). */
  imdnDisplay: boolean;
}

/** A file of the sounds folder started or ended playing (audio.play). */
export interface PlayEvent {
  file: string;
  state: "started" | "ended";
  toPeer?: boolean;
  line?: number;
}

/** A call's recording started or stopped; file is its name in the recordings folder, never a path. */
export interface RecordingEvent {
  callId: string;
  line: number;
  state: "started" | "stopped";
  file: string;
}

/**
 * A watched contact's presence (presence.state): Mizu's onPresenceStateChange values.
 * A contact is known by its account and number: the same number on two accounts is two people.
 */
export interface PresenceState {
  number: string;
  /** The account (accounts.list id) it is watched from; absent: the default. */
  account?: string;
  state: "Available" | "Away" | "Busy" | "Speaking" | "DoNotDisturb" | "Offline" | "Unknown" | "NotExists";
  note?: string;
}

/** A watched contact's busy lamp (blf.state, RFC 4235), by account and number as PresenceState. */
export interface BLFState {
  number: string;
  /** The account (accounts.list id) it is watched from; absent: the default. */
  account?: string;
  lamp: "idle" | "ringing" | "busy" | "hold" | "unknown";
  state?: "trying" | "proceeding" | "early" | "confirmed" | "terminated";
  direction?: "initiator" | "recipient";
  callId?: string;
  peer?: string;
}

/** An entry of the engine's contact list (contacts.*). */
export interface Contact {
  id: string;
  name: string;
  number: string;
  presence?: boolean;
  blf?: boolean;
  /** The account (accounts.list id) its subscriptions go from; absent: the default. */
  account?: string;
}

/** An account's voicemail box (mwi.state, RFC 3842). */
export interface MWIState {
  /** The account (accounts.list id) besides the default whose box it is; absent: the default's. */
  account?: string;
  waiting: boolean;
  new: number;
  old: number;
  urgentNew?: number;
  urgentOld?: number;
  messageAccount?: string;
}

/** A subscription of the engine: taken, lost, refused, or a bad document ignored. */
export interface SubscriptionState {
  event: string;   // "message-summary", "presence", "dialog"
  target: string;
  /** The account (accounts.list id) besides the default it goes from; absent: the default's. */
  account?: string;
  state: "active" | "retrying" | "terminated" | "malformed";
  code?: number;
  reason?: string;
  retry?: number;  // seconds until the next SUBSCRIBE
}

export interface Levels {
  input: number;  // dBFS, -90 = silence
  output: number;
}

export interface PairingRequest {
  id: string;
  origin: string;
  time: string;
  expires: string;
  /** What the site asks for: calls ("control"), or also to set up the phone account ("account"). */
  permission: "control" | "account";
  /** Set when the site is paired already and asks for more (pair.request). */
  paired?: boolean;
}

export interface PairingList {
  enabled: boolean;
  pending: PairingRequest[];
  paired: { origin: string; approved: string; permission: "control" | "account" }[];
  provisioned: { origin: string; permission: Permission }[];
}

/** One account with its id and registration (accounts.list); the first is the default. */
export interface AccountInfo extends Account {
  id: string;
  default: boolean;
  registration: RegState;
}

export interface DTMFEvent {
  line: number;
  callId: string;
  digit: string;
  durationMs: number;
}

/** The mirror of the engine's state: the last hello's snapshot with every later event applied. */
export interface PhoneState {
  account: Account | null;
  registration: RegState | null;
  accounts: AccountInfo[];  // every account with its registration, the default first
  lines: CallState[];       // calls that exist now, by line; ended calls are removed
  selectedLine: number;
  devices: Devices | null;
  settings: Settings | null;
  mwi: MWIState | null;     // the default account's voicemail box
  mwiAccounts: MWIState[];  // the other accounts' boxes, each with its account
  presence: PresenceState[]; // the watched contacts' presence, by number and account
  blf: BLFState[];          // the watched contacts' busy lamps, by number and account
  levels: Levels | null;    // the last audio.level (after subscribe({levels: true}))
  /** Instant messages received and not yet read (chat.unread). */
  unreadMessages: number;
  /** The engine sends and keeps instant messages (chat.send); false from an engine without them. */
  chat: boolean;
}

export interface Hello {
  protocol: number;
  engine: string;
  version: string;
  snapshot: Omit<PhoneState, "levels">;
}

/** A call: by line number, by call id, or the selected line when omitted. */
export type CallRef = number | string | { line?: number; callId?: string } | undefined;

export interface ConnectOptions {
  host?: string;                 // default "127.0.0.1"
  ports?: number[];              // default [18620, 18621, 18622, 18623]
  tlsPorts?: number[];           // default [18630, 18631, 18632, 18633]
  secure?: boolean | "auto";     // ws only, wss only, or ws then wss (default "auto")
  token?: string;                // a program's token (sent as ?token=); browsers pair instead
  storage?: Storage | { getItem(k: string): string | null; setItem(k: string, v: string): void; removeItem(k: string): void } | null;
  reconnect?: boolean;           // default true
  backoff?: { min?: number; max?: number }; // ms, full jitter; default 500..15000
  connectOnPrompt?: boolean;     // connect even while Local Network Access would prompt (default false)
  minVersion?: string;           // the oldest engine version the page works with, e.g. "1.4.0"
  downloadUrl?: string;          // the installer's address the page offers (not-running, update-needed)
  permission?: "control" | "account"; // what the site asks for when it must pair (default control)
  subscribe?: Subscription;
  WebSocket?: typeof WebSocket;  // for environments without a global one
}

/** The progress of a blind transfer (call.transfer). */
export interface TransferEvent {
  line: number;
  callId: string;
  target: string;
  state: "trying" | "ringing" | "succeeded" | "failed";
  code?: number;
  reason?: string;
}

export interface EventMap {
  status: Status;
  state: PhoneState;
  hello: Hello;
  "call.state": CallState;
  "call.dtmf": DTMFEvent;
  "call.cdr": CallRecord;
  "chat.message": ChatMessage;
  "chat.status": ChatStatus;
  "chat.unread": { unread: number };
  "call.transfer": TransferEvent;
  "call.referred": { line: number; callId: string; target: string };
  "call.stats": { calls: CallStats[] };
  "reg.state": RegState;
  "account.changed": Account;
  "accounts.changed": { accounts: AccountInfo[] };
  "settings.changed": Settings;
  "line.selected": { line: number };
  "devices.changed": Devices;
  "audio.level": Levels;
  "audio.play": PlayEvent;
  "call.recording": RecordingEvent;
  "mwi.state": MWIState;
  "presence.state": PresenceState;
  "blf.state": BLFState;
  "contacts.changed": { contacts: Contact[] };
  "subscription.state": SubscriptionState;
  "pair.changed": PairingList;
  /** This site was just paired (before hello): what the user allowed. Never the token. */
  paired: { origin: string; permission: Permission };
  /** The user answered this site's requestPermission: what the connection may do now. */
  permission: { origin: string; permission: Permission; asked: Permission };
  log: { time: number; level: string; message: string; attrs?: Record<string, unknown> };
  "sip.trace": { dir: "send" | "recv"; remote: string; message: string };
  "session.lagged": null;
}

export declare class Phone {
  readonly ready: Promise<PhoneState>;
  readonly status: Status;
  readonly pairing: PairingRequest | null;
  readonly permission: Permission | null;
  readonly origin: string | null;
  readonly lastError: WpsError | null;
  readonly port: number | null;
  readonly secure: boolean;
  readonly engine: { engine: string; version: string; protocol: number } | null;
  readonly downloadUrl: string | null;
  readonly state: PhoneState;

  on<K extends keyof EventMap>(name: K, fn: (data: EventMap[K], raw?: unknown) => void): () => void;
  on(name: string, fn: (data: any, raw?: unknown) => void): () => void;
  off(name: string, fn: (...args: any[]) => void): void;
  once<K extends keyof EventMap>(name: K): Promise<EventMap[K]>;

  send<T = unknown>(cmd: string, args?: object, opts?: { wait?: boolean }): Promise<T>;
  connectNow(): void;
  close(): void;
  call(lineOrCallId: number | string): CallState | undefined;

  /**
   * Asks the user for more permission ("account": to set up the phone account); resolves
   * with the connection's permission once answered ("control" when refused).
   */
  requestPermission(permission: "account"): Promise<Permission>;
  /** With conference, the new call joins the local conference when answered. */
  dial(to: string, opts?: { line?: number; headers?: Record<string, string>; conference?: boolean; account?: string }): Promise<{ line: number; callId: string }>;
  answer(ref?: CallRef): Promise<{}>;
  reject(ref?: CallRef, code?: 486 | 603): Promise<{}>;
  hangup(ref?: CallRef | { all: true }): Promise<{ ended: number }>;
  dtmf(digits: string, ref?: CallRef): Promise<{}>;
  mute(on: boolean, ref?: CallRef): Promise<{}>;
  hold(on: boolean, ref?: CallRef): Promise<{}>;
  ignore(ref?: CallRef): Promise<{}>;
  /**
   * Transfers an active call (REFER; progress on "call.transfer"): blind to a target, or
   * attended to the party of another active call ({ consultCallId }).
   */
  transfer(target: string | { consultCallId: string }, ref?: CallRef): Promise<{}>;
  /** Answers a "call.referred": accept calls the REFER's target, else 603 to the peer. */
  referral(accept: boolean, ref?: CallRef): Promise<{}>;
  stats(ref?: CallRef): Promise<CallStats>;
  /** Forwards a ringing incoming call with 302 Moved Temporarily to target. */
  forward(target: string, ref?: CallRef): Promise<{}>;
  selectLine(line: number): Promise<{ line: number }>;
  /** Joins a call to the local conference; the first add conferences the selected call too. */
  conferenceAdd(ref: CallRef): Promise<{}>;
  /** Takes a member back to its own line. */
  conferenceRemove(ref: CallRef): Promise<{}>;
  /** Holds every member (false: resumes them). */
  conferenceHold(on?: boolean): Promise<{}>;
  /** Every member back to its own line. */
  conferenceSplit(): Promise<{}>;
  setAccount(fields: AccountFields): Promise<Account>;
  /** Every account, the default first. */
  listAccounts(): Promise<AccountInfo[]>;
  /** Adds an account besides the default (server and username required). */
  addAccount(fields: AccountFields): Promise<AccountInfo>;
  updateAccount(id: string, fields: AccountFields): Promise<AccountInfo>;
  /** Removes an account besides the default; it is unregistered first. */
  removeAccount(id: string): Promise<{}>;
  getAccount(): Promise<Account>;
  register(): Promise<{}>;
  unregister(): Promise<{}>;
  setSettings(fields: Partial<Omit<Settings, "maxLines" | "audioInput" | "audioOutput">>): Promise<Settings>;
  listDevices(): Promise<Devices>;
  selectDevices(sel: { input?: string; output?: string; ringer?: string }): Promise<Devices>;
  setVolume(vol: { input?: number; output?: number; ringer?: number }): Promise<Devices>;
  subscribe(opts: Subscription): Promise<{ log: boolean; sipTrace: boolean; levels: boolean; statsInterval?: number }>;
  listHistory(query?: HistoryQuery): Promise<HistoryPage>;
  deleteHistory(id: number): Promise<{}>;
  clearHistory(): Promise<{ deleted: number }>;
  /** account: the id of the account it goes from (accounts.list); omitted: the default. */
  sendChat(to: string, text: string, account?: string): Promise<{ id: number; peer: string }>;
  listChat(query?: ChatQuery): Promise<ChatPage>;
  /** account: the id of an account (accounts.list): its conversations only; omitted: every account's. */
  conversations(account?: string): Promise<Conversations>;
  readChat(peer: string): Promise<{ changed: number; unread: number }>;
  deleteChat(idOrPeer: number | string): Promise<{ changed: number; unread: number }>;
  /** Plays a WAV file of the engine's sounds folder (a name, no path): on the speaker, or into a call. */
  play(file: string, opts?: { loop?: boolean; toPeer?: boolean; line?: number }): Promise<{}>;
  stopPlay(): Promise<{}>;
  listSounds(): Promise<{ files: string[] }>;
  /** Starts (true) or stops (false) a call's recording; the file's name in the recordings folder. */
  record(on: boolean, ref?: CallRef): Promise<{ file: string }>;
}

/** The opt-in events: log, sip.trace, audio.level, and call.stats every statsInterval seconds (1..3600). */
export interface Subscription {
  log?: boolean;
  sipTrace?: boolean;
  levels?: boolean;
  statsInterval?: number;
}

/** Connects (in the background) and returns the Phone at once; await phone.ready for the first snapshot. */
export declare function connect(options?: ConnectOptions): Phone;

/** Checks, without a WebSocket, whether an engine listens and what the browser allows. */
export declare function probe(options?: Pick<ConnectOptions, "host" | "ports" | "tlsPorts" | "secure">): Promise<{
  running: boolean;
  port?: number;
  secure?: boolean;
  lna: "granted" | "prompt" | "denied" | "unsupported";
  framed: boolean;
  frameAllowed: boolean | null;
}>;
