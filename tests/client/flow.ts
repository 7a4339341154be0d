// A front-end's typed client, generated from docs/openapi.json (openapi-typescript, then
// openapi-fetch), must compile under `strict` without a cast: every documented answer has its
// body, every operation lists 500 and every authenticated one 401, every problem's `code` is
// an enum, and a flow reads required fields and problems as their types. tests/run generates
// schema.d.ts and runs tsc on this.

import createClient from "openapi-fetch";
import type { operations, paths } from "./schema";

type Responses<O> = O extends { responses: infer R } ? R : never;
type HasBody<R> = R extends { content: infer C } ? ([keyof C] extends [never] ? false : true) : false;
// Every answer but 101/204/304 carries a typed body.
type Bodiless = {
  [O in keyof operations]: {
    [S in keyof Responses<operations[O]>]: S extends 101 | 204 | 304
      ? never
      : HasBody<Responses<operations[O]>[S]> extends true
        ? never
        : `${O & string} ${S & number}`;
  }[keyof Responses<operations[O]>];
}[keyof operations];
const everyAnswerHasItsBody: [Bodiless] extends [never] ? true : Bodiless = true;

// Every operation lists 500, and every one but the public ones lists 401.
type Public = "health" | "auth_config" | "register_buyer";
type Without<Status> = {
  [O in keyof operations]: Status extends keyof Responses<operations[O]> ? never : O;
}[keyof operations];
const everyOperationLists500: [Without<500>] extends [never] ? true : Without<500> = true;
const everyAuthenticatedOperationLists401: [Exclude<Without<401>, Public>] extends [never]
  ? true
  : Exclude<Without<401>, Public> = true;

// Every problem's `code` is a union of the codes its status lists, never any string.
type AnyString<R> = R extends { content: { "application/problem+json": { code: infer C } } }
  ? string extends C
    ? true
    : false
  : false;
type OpenCodes = {
  [O in keyof operations]: {
    [S in keyof Responses<operations[O]>]: AnyString<Responses<operations[O]>[S]> extends true
      ? `${O & string} ${S & number}`
      : never;
  }[keyof Responses<operations[O]>];
}[keyof operations];
const everyProblemCodeIsAnEnum: [OpenCodes] extends [never] ? true : OpenCodes = true;

const client = createClient<paths>({ baseUrl: "http://localhost:3000" });

export async function flow(sid: string, cid: string): Promise<string[]> {
  const seen: string[] = [];
  const moved = await client.PATCH("/v1/slots/{sid}", {
    params: { path: { sid } },
    body: { startsAt: "2027-04-15T01:30:00.000Z" },
  });
  if (moved.error) {
    seen.push(moved.error.code, String(moved.error.status), moved.error.detail);
  } else {
    const startsAt: string = moved.data.startsAt;
    const capacity: number = moved.data.capacity;
    seen.push(startsAt, String(capacity));
  }
  const sent = await client.POST("/v1/conversations/{cid}/messages", {
    params: { path: { cid } },
    body: { type: "text", text: "Hello" },
  });
  if (sent.error) {
    seen.push(sent.error.code);
  } else {
    seen.push(sent.data.id, sent.data.createdAt);
  }
  const notes = await client.GET("/v1/me/notifications", { params: { query: { limit: 50 } } });
  if (notes.error) {
    seen.push(notes.error.code);
  } else {
    for (const n of notes.data.items) seen.push(n.id, n.createdAt);
    seen.push(notes.data.nextCursor ?? "end");
  }
  const booked = await client.POST("/v1/slots/{sid}/bookings", {
    params: { path: { sid } },
    body: { message: "About the air compressors" },
  });
  if (booked.error) {
    // A code the document does not list for this operation would not compile here.
    const full = booked.error.code === "slot_full" || booked.error.code === "already_booked";
    seen.push(full ? "taken" : booked.error.code);
  } else {
    seen.push(booked.data.id);
  }
  void everyAnswerHasItsBody;
  void everyProblemCodeIsAnEnum;
  void everyOperationLists500;
  void everyAuthenticatedOperationLists401;
  return seen;
}
