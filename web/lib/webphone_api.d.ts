// Type declarations for webphone_api.js: the Mizu WebPhone API on wpservice.
// docs/javascript-api.md says what each function maps to and what is supported.

type Cb<T> = ((value: T) => void) | null | undefined;
/** onXXX(fn) adds fn; onXXX(null) removes every callback of that kind. */
type Subscribe<F> = (fn: F | null) => void;

export interface WebphoneAPI {
  /** webphone_config.js style: webphone_api.parameters = { serveraddress: ..., ... } */
  parameters: Record<string, string | number | boolean>;

  // configuration and lifecycle
  setparameter(param: string, value: string | number | boolean, allowempty?: boolean): boolean;
  getparameter(param: string): string;
  start(): boolean;
  stop(): boolean;
  register(): boolean;
  unregister(): boolean;
  registerex(accounts: string): boolean;
  delsettings(level?: 0 | 1 | 2 | 3): boolean;
  getenginename(): "ns";
  getworkdir(callback?: Cb<string>): string;
  getlogs(): string;
  getStatus(): string;
  getregfailreason(callback?: Cb<string>): string;

  // calls
  call(number: string): boolean;
  hangup(line?: number): boolean;
  accept(): boolean;
  reject(): boolean;
  ignore(): boolean;
  hold(state: boolean): boolean;
  mute(state: boolean, direction?: 0 | 1 | 2): boolean;
  dtmf(msg: string): boolean;
  setline(line: number | string): boolean;
  getline(): number;
  transfer(number: string): boolean;
  /** Forwards the ringing incoming call with 302 to number; false without one. */
  forward(number: string): boolean;
  conference(number: string, add?: boolean): boolean;
  videocall(number: string): boolean;
  mutevideo(state: boolean, direction?: number): boolean;
  sendchat(number: string, msg: string, group?: string): boolean;
  sendsms(number: string, msg: string, from?: string): boolean;
  checkpresence(userlist: string, callback?: Cb<string>): boolean;
  setpresencestatus(status: "Online" | "Away" | "DND" | "Invisible" | "Offline"): boolean;
  checkblf(userlist: string, callback?: Cb<string>): boolean;
  voicerecord(start: boolean | number, callnumber?: string): boolean;
  play(start: boolean | number, file?: string, looping?: boolean | number, toremotepeer?: boolean | number): boolean;
  screenshare(number: string, screenid?: string): boolean;
  stopscreenshare(): boolean;
  setloudspeaker(state: boolean): boolean;
  setvideodisplaysize(type: 1 | 2, width: number, height?: number | null): boolean;
  devicepopup(): boolean;
  changetheme(theme: string): boolean;
  synccontacts(): boolean;

  // information
  isregistered(): boolean;
  isincall(): boolean;
  ismuted(): boolean;
  isonhold(): boolean;
  isencrypted(): -1 | 0 | 1 | 2 | 3;
  getlinedetails(line?: number): string;
  getlastcalldetails(): string;
  linetocallid(line: number, callback?: Cb<string>): string;
  callidtoline(callid: string, callback?: Cb<number>): number;
  nextcallid(callid?: string): string;
  getavailablecallfunc(): string;
  getcallerdisplayfull(callback?: Cb<string>): string;

  // SIP headers and messages
  setsipheader(header: string): boolean;
  getsipheader(header: string, callback?: Cb<string>, must?: boolean): string;
  getsipmessage(dir: -1 | 0 | 1, type: 0 | 1 | 2 | 3 | 4, callback?: Cb<string>, must?: boolean): string;
  getlastrecinvite(callback: Cb<string>): string;
  getlastsentinvite(callback: Cb<string>): string;

  // devices and volume: dev 0 = microphone, 1 = speaker, 2 = ringer (3 = camera: none)
  getdevicelist(dev: 0 | 1 | 2 | 3, callback?: Cb<string>): string;
  getdevice(dev: 0 | 1 | 2 | 3, callback?: Cb<string>): string;
  setdevice(dev: 0 | 1 | 2 | 3, devicename: string, immediate?: 0 | 1 | 2): boolean;
  setvolume(dev: 0 | 1 | 2, volume: number): boolean;
  getvolume(dev: 0 | 1 | 2, callback?: Cb<number>): number;

  // history and contacts (browser storage)
  listcallhistory(): string | null;
  listcontacts(all?: boolean): string | null;
  addcontact(fullname: string, number: string, email?: string, address?: string, notes?: string, website?: string, type?: string, favorite?: "0" | "1"): boolean;
  getcontact(name?: string, number?: string): string | null;
  delcontact(name?: string, number?: string): boolean;
  deletecontact(name?: string, number?: string): boolean;
  delallcontacts(): boolean;

  // low level and WebRTC internals (not applicable)
  jvoip(name: string, ...args: unknown[]): string;
  getrtcsocket(): null;
  getcallsession(line?: number, destnr?: string, callid?: string): null;
  getrtcpeerconnection(line?: number, destnr?: string, callid?: string): null;

  // callbacks
  onAppStateChange: Subscribe<(state: "loaded" | "started" | "stopped") => void>;
  onRegStateChange: Subscribe<(state: "registered" | "unregistered" | "failed", reason: string) => void>;
  onCallStateChange: Subscribe<(event: string, direction: 1 | 2, peername: string, peerdisplayname: string, line: number, callid: string) => void>;
  onChat: Subscribe<(from: string, msg: string, line: number, group: string) => void>;
  onSMS: Subscribe<(from: string, msg: string) => void>;
  onDTMF: Subscribe<(dtmf: string, line: number) => void>;
  onCdr: Subscribe<(caller: string, called: string, connecttime: number, duration: number, direction: 1 | 2, peerdisplayname: string, reason: string, line: number, callid: string) => void>;
  onPresenceStateChange: Subscribe<(peername: string, presence: string, displayname?: string, email?: string) => void>;
  onBLFStateChange: Subscribe<(peername: string, direction: string, state: string, callid?: string) => void>;
  onBlfStateChange: Subscribe<(peername: string, direction: string, state: string, callid?: string) => void>;
  onBLFStateChage: Subscribe<(peername: string, direction: string, state: string, callid?: string) => void>;
  onEvent: Subscribe<(type: "event" | "log" | "display", message: string) => void>;
  onLoaded: Subscribe<() => void>;
  onStart: Subscribe<() => void>;
  onStop: Subscribe<() => void>;
  onRegistered: Subscribe<() => void>;
  onRegisterFailed: Subscribe<(reason: string) => void>;
  onUnRegistered: Subscribe<() => void>;
  onCallSetup: Subscribe<(peername: string, peerdisplayname: string, line: number, callid: string) => void>;
  onCallRinging: Subscribe<(peername: string, peerdisplayname: string, line: number, callid: string) => void>;
  onCallConnected: Subscribe<(peername: string, peerdisplayname: string, line: number, callid: string) => void>;
  onCallDisconnected: Subscribe<(peername: string, peerdisplayname: string, line: number, callid: string) => void>;
  onDisplay: Subscribe<(message: string) => void>;
  onLog: Subscribe<(message: string) => void>;
  onEvents: Subscribe<(message: string) => void>;
}

export declare const webphone_api: WebphoneAPI;
export default webphone_api;

declare global {
  /** Defined by webphone_api.classic.js. */
  var webphone_api: WebphoneAPI;
}
