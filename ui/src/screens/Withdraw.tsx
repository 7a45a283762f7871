// "Withdraw, observe and report" (PCSO policy 2.7.16): one tap records that the officer has
// withdrawn to a safe distance to observe and report, as an escalation addressed to their
// supervisor on the urgent lane, with the position when the platform gives one. The record
// opens after saving so details can be added; nothing has to be typed first.
import { useState } from "preact/hooks";
import type { AppError, Record as LRecord } from "../bindings";
import { api } from "../api";
import { go } from "../router";
import { ErrorBox } from "../ui";
import { currentPosition } from "./Capture";

export function WithdrawButton(props: { op: string | null }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  async function tap() {
    setBusy(true);
    setError(null);
    const now = new Date().toISOString();
    const record: LRecord = {
      operation_id: props.op,
      occurred_at: now,
      location: await currentPosition(),
      links: [],
      tags: [],
      body: {
        kind: "escalation",
        category: "withdraw_observe_report",
        summary: "Withdrawn to a safe distance to observe and report (policy 2.7.16).",
        told_at: now,
        addressed_to: "supervisor",
      },
    };
    try {
      const saved = await api.createRecord(record, null);
      go({ name: "record", id: saved.record_id });
    } catch (e) {
      setError(e as AppError);
      setBusy(false);
    }
  }
  return (
    <>
      <button type="button" class="btn secondary" disabled={busy} onClick={() => void tap()} data-testid="withdraw-observe">
        {busy ? "Recording…" : "Withdraw, observe and report"}
      </button>
      <ErrorBox error={error} />
    </>
  );
}
