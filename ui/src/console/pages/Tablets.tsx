// Tablets: every enrolled device, with its officer, last contact, what it still had to send
// and its app version. Force admin issues enrolments (shown once) and revokes devices; a
// supervisor sees the list only.
import { useRef, useState } from "preact/hooks";
import type { ConsoleError, DeviceView, EnrolmentIssued, Me } from "../bindings";
import { api, asConsoleError } from "../api";
import { placeErrors } from "../fields";
import { can } from "../roles";
import { ago, localTime } from "../time";
import { ConfirmDialog, ErrorSummary, Loading, Notice, Page, SelectField, TableWrap, useLoad } from "../ui";

export const REVOKE_REASONS = [
  { value: "lost", label: "Lost" },
  { value: "stolen", label: "Stolen" },
  { value: "retired", label: "Retired (handed back)" },
] as const;

export type RevokeReason = (typeof REVOKE_REASONS)[number]["value"];

/** What revoking does, in the words the confirm dialog uses. */
export function revokeConsequences(reason: RevokeReason): string[] {
  if (reason === "retired") {
    return [
      "The tablet may make one final push of what was recorded on it before now, within 3 days; nothing recorded after this moment is accepted.",
      "Then it wipes itself: its encrypted database is destroyed.",
      "The officer needs a new enrolment to use another tablet.",
    ];
  }
  return [
    "The tablet's token stops working at once: nothing more is accepted from it, including records it has not sent yet.",
    "It wipes itself the next time it contacts the force server.",
    "The officer needs a new enrolment to use another tablet.",
  ];
}

export function qrDataUri(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

export function TabletsPage({ me }: { me: Me }) {
  const devices = useLoad(() => api.devices(), []);
  const manage = can(me.staff.role, "devices.manage");
  const officers = useLoad(() => (manage ? api.officers() : Promise.resolve([])), [manage]);
  const [officer, setOfficer] = useState("");
  const [issued, setIssued] = useState<EnrolmentIssued | null>(null);
  const [issueError, setIssueError] = useState<ConsoleError | null>(null);
  const [busy, setBusy] = useState(false);
  const [revoking, setRevoking] = useState<DeviceView | null>(null);
  const [reason, setReason] = useState<RevokeReason>("lost");
  const [revokeError, setRevokeError] = useState<ConsoleError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const issuedHeading = useRef<HTMLHeadingElement>(null);
  const placed = placeErrors(issueError, ["officer"]);

  const issue = async (e: Event) => {
    e.preventDefault();
    if (!officer) {
      setIssueError({ code: "invalid", message: "Check the form.", fields: [{ field: "officer", message: "choose the officer the tablet is for" }] });
      return;
    }
    setBusy(true);
    setIssued(null);
    setDone(null);
    try {
      const out = await api.issueEnrolment(officer);
      setIssueError(null);
      setIssued(out);
      requestAnimationFrame(() => issuedHeading.current?.focus());
    } catch (err) {
      setIssueError(asConsoleError(err));
    } finally {
      setBusy(false);
    }
  };

  const revoke = async () => {
    if (!revoking) return;
    setBusy(true);
    try {
      await api.revoke(revoking.device_id, reason);
      setDone(`The tablet of ${revoking.officer} is revoked (${reason}).`);
      setRevoking(null);
      setRevokeError(null);
      devices.reload();
    } catch (err) {
      setRevokeError(asConsoleError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page title="Tablets">
      {done ? <Notice>{done}</Notice> : null}
      <section aria-labelledby="h-devices">
        <h2 id="h-devices">Enrolled tablets</h2>
        <Loading state={devices} what="tablets">
          {(list) =>
            list.length === 0 ? (
              <p>No tablet is enrolled yet.</p>
            ) : (
              <TableWrap label="Table of enrolled tablets">
                <table id="devices">
                  <caption class="visually-hidden">Enrolled tablets</caption>
                  <thead>
                    <tr>
                      <th scope="col">Officer</th>
                      <th scope="col">Tablet</th>
                      <th scope="col">Enrolled</th>
                      <th scope="col">Last contact</th>
                      <th scope="col">Waiting to send</th>
                      <th scope="col">App version</th>
                      <th scope="col">State</th>
                      {manage ? <th scope="col"><span class="visually-hidden">Actions</span></th> : null}
                    </tr>
                  </thead>
                  <tbody>
                    {list.map((d) => (
                      <tr key={d.device_id} class={d.revoked_at ? "revoked" : ""}>
                        <th scope="row">{d.officer}</th>
                        <td>
                          <code>{d.device_id.slice(0, 8)}</code>
                        </td>
                        <td>{localTime(d.enrolled_at)}</td>
                        <td>
                          {ago(d.last_contact)}
                          {d.last_contact ? <span class="hint"> ({localTime(d.last_contact)})</span> : null}
                        </td>
                        <td>{d.waiting ?? "—"}</td>
                        <td>{d.app_version ?? "—"}</td>
                        <td>{d.revoked_at ? `Revoked (${d.revoked_reason ?? "no reason"}) ${localTime(d.revoked_at)}` : "Active"}</td>
                        {manage ? (
                          <td>
                            {d.revoked_at ? null : (
                              <button
                                type="button"
                                class="danger small"
                                onClick={() => {
                                  setReason("lost");
                                  setRevokeError(null);
                                  setRevoking(d);
                                }}
                              >
                                Revoke<span class="visually-hidden"> the tablet of {d.officer}</span>
                              </button>
                            )}
                          </td>
                        ) : null}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
            )
          }
        </Loading>
      </section>

      {manage ? (
        <section aria-labelledby="h-issue">
          <h2 id="h-issue">Issue an enrolment</h2>
          <p>
            An enrolment lets one tablet sign in to this force server as the officer chosen here. Enter it on the tablet
            (type it, or scan the QR code) before it expires.
          </p>
          <ErrorSummary messages={placed.general} />
          <form onSubmit={issue} noValidate class="form">
            <SelectField
              id="enrol-officer"
              label="Officer"
              value={officer}
              onChange={setOfficer}
              options={[{ value: "", label: "Choose an officer" }, ...(officers.data ?? []).map((o) => ({ value: o.officer, label: `${o.officer} — ${o.name}` }))]}
              errors={placed.byKey.get("officer")}
              required
            />
            <button type="submit" class="primary" disabled={busy}>
              Issue enrolment
            </button>
          </form>
          {issued ? (
            <div class="enrolment" aria-labelledby="h-issued">
              <h3 id="h-issued" tabIndex={-1} ref={issuedHeading}>
                Enrolment for {issued.officer}
              </h3>
              <p class="notice warn">
                <strong>Shown once.</strong> The console will not show it again: enter it on the tablet now, or issue a new
                one later. It expires {localTime(issued.expires_at)}. Anyone holding it can enrol a tablet as{" "}
                {issued.officer}: do not send it by e-mail.
              </p>
              <div class="enrolment-body">
                <img
                  class="qr"
                  src={qrDataUri(issued.qr_svg)}
                  alt={`QR code of the enrolment string for ${issued.officer}`}
                  width={240}
                  height={240}
                />
                <div>
                  <label for="enrolment-string">Enrolment string</label>
                  <textarea id="enrolment-string" readOnly rows={5} value={issued.enrolment_string} onFocus={(e) => e.currentTarget.select()} />
                  <button
                    type="button"
                    class="secondary"
                    onClick={() => {
                      void navigator.clipboard?.writeText(issued.enrolment_string);
                    }}
                  >
                    Copy the enrolment string
                  </button>
                  <button type="button" class="secondary" onClick={() => setIssued(null)}>
                    Done: hide it
                  </button>
                </div>
              </div>
            </div>
          ) : null}
        </section>
      ) : (
        <p class="hint">Enrolments and revocations are made by force IT.</p>
      )}

      {revoking ? (
        <ConfirmDialog
          title={`Revoke the tablet of ${revoking.officer}?`}
          confirmLabel={`Revoke as ${reason}`}
          danger
          busy={busy}
          onConfirm={revoke}
          onCancel={() => setRevoking(null)}
        >
          <p>
            Tablet <code>{revoking.device_id.slice(0, 8)}</code>, last contact {ago(revoking.last_contact)}
            {revoking.waiting ? `, ${revoking.waiting} records waiting to send at its last sync` : ""}.
          </p>
          <SelectField
            id="revoke-reason"
            label="Why"
            value={reason}
            onChange={(v) => setReason(REVOKE_REASONS.find((r) => r.value === v)?.value ?? "lost")}
            options={REVOKE_REASONS.map((r) => ({ value: r.value, label: r.label }))}
          />
          <h3 class="h4">What happens</h3>
          <ul id="revoke-consequences">
            {revokeConsequences(reason).map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
          <p>This cannot be undone.</p>
          <ErrorSummary messages={revokeError ? [revokeError.message] : []} />
        </ConfirmDialog>
      ) : null}
    </Page>
  );
}
