// Operations: the list, with the way to each one's live picture and (for commanders and
// admin) its editor.
import type { Me } from "../bindings";
import { api } from "../api";
import { can } from "../roles";
import { href } from "../router";
import { localTime } from "../time";
import { Loading, Page, TableWrap, useLoad } from "../ui";

export function OperationsPage({ me }: { me: Me }) {
  const list = useLoad(() => api.operations(), []);
  const editable = can(me.staff.role, "operations.edit");
  return (
    <Page
      title="Operations"
      actions={
        editable ? (
          <a class="button primary" href={href({ name: "operation-new" })}>
            New operation
          </a>
        ) : null
      }
    >
      <Loading state={list} what="operations">
        {(ops) =>
          ops.length === 0 ? (
            <p>No operations yet.{editable ? " Start one with “New operation”." : ""}</p>
          ) : (
            <TableWrap label="Operations, latest start first">
              <table>
                <caption class="visually-hidden">Operations, latest start first</caption>
                <thead>
                  <tr>
                    <th scope="col">Operation</th>
                    <th scope="col">Starts</th>
                    <th scope="col">Ends</th>
                    <th scope="col">Sectors</th>
                    <th scope="col">Team</th>
                    <th scope="col"><span class="visually-hidden">Actions</span></th>
                  </tr>
                </thead>
                <tbody>
                  {ops.map((o) => (
                    <tr key={o.id}>
                      <th scope="row">{o.name}</th>
                      <td>{localTime(o.starts_at)}</td>
                      <td>{localTime(o.ends_at)}</td>
                      <td>{o.sectors}</td>
                      <td>{o.team}</td>
                      <td class="row-actions">
                        <a href={href({ name: "live", id: o.id })}>
                          Live picture<span class="visually-hidden"> of {o.name}</span>
                        </a>
                        {can(me.staff.role, "debrief") ? (
                          <a href={href({ name: "debrief", id: o.id })}>
                            Debrief<span class="visually-hidden"> of {o.name}</span>
                          </a>
                        ) : null}
                        {editable ? (
                          <a href={href({ name: "operation-edit", id: o.id })}>
                            Edit<span class="visually-hidden"> {o.name}</span>
                          </a>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )
        }
      </Loading>
    </Page>
  );
}
