// Check results and timeline events carry their text in both languages; the UI shows the one
// the user chose, never the other.
import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { CheckResultView } from "../components/ItemCard";
import { Timeline } from "../components/purchase/Timeline";
import type { Language, StoredCheckResult, TimelineEvent } from "../ipc";
import { renderWith } from "./render";

const stored: StoredCheckResult = {
  run_id: "r1",
  at: "2026-11-23T10:00:00Z",
  result: {
    id: "catalog.product_exists",
    status: "fail",
    summary: {
      en: "product prod-x was not found in the seller's catalog",
      ja: "製品 prod-x は販売者のカタログに見つかりません",
    },
    details: { en: "ResourceNotFoundException", ja: "ResourceNotFoundException（詳細）" },
    advice: { en: "Check the product ID.", ja: "製品 ID を確認してください。" },
    duration_ms: 12,
    evidence: [],
  },
};

const event: TimelineEvent = {
  seq: 1,
  observed_at: "2026-11-23T10:00:01Z",
  occurred_at: null,
  source: "sqs",
  kind: "subscribe-success",
  summary: { en: "subscribe-success for customer c-1", ja: "顧客 c-1 の subscribe-success" },
  malformed: false,
  raw: "{}",
};

describe("check results and timeline events follow the UI language", () => {
  it.each<[Language, string, string, string]>([
    ["en", stored.result.summary.en, stored.result.details.en, event.summary.en],
    ["ja", stored.result.summary.ja, stored.result.details.ja, event.summary.ja],
  ])("in %s", (lang, summary, details, line) => {
    const other = lang === "en" ? "ja" : "en";
    const { unmount } = renderWith(<CheckResultView stored={stored} />, lang);
    expect(screen.getByTestId("check-summary")).toHaveTextContent(summary);
    expect(screen.getByTestId("check-summary")).not.toHaveTextContent(stored.result.summary[other]);
    expect(screen.getByTestId("check-details")).toHaveTextContent(details);
    unmount();
    renderWith(<Timeline events={[event]} />, lang);
    const timeline = screen.getByTestId("purchase-timeline");
    expect(timeline).toHaveTextContent(line);
    expect(timeline).not.toHaveTextContent(event.summary[other]);
  });
});
