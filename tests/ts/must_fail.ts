// This file MUST NOT type-check: `cargo xtask test` runs `tsc --strict --noEmit` on it
// (tsconfig.must-fail.json) and fails if it compiles, or if it fails for any other reason
// than the one deliberate error below (TS2322 on the marked line). It proves the check is not
// vacuous: `firstStream` is `MediaStream | undefined`, not `any`.

import { onTrack } from "rtc-peer";

export function subscribe(pc: RTCPeerConnection): void {
  onTrack(pc, (view) => {
    const stream: MediaStream = view.firstStream; // DELIBERATE TYPE ERROR (TS2322)
    console.log(stream.id);
  });
}
