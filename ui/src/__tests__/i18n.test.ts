// The message tables stay complete in both languages, plurals follow each language's rules, and
// dates and numbers follow the chosen language in the system's region.
import { describe, expect, it } from "vitest";
import { en, features, ja, makeFormats, makeI18n, makeT, resolveLocale } from "../i18n";

describe("the message tables", () => {
  it("have every English key in Japanese, and no empty strings", () => {
    expect(Object.keys(ja).sort()).toEqual(Object.keys(en).sort());
    for (const [k, v] of Object.entries(ja)) expect(v, k).not.toBe("");
  });

  it("define each key in one feature only, each feature complete in both languages", () => {
    const seen = new Map<string, string>();
    for (const [name, f] of Object.entries(features)) {
      expect(Object.keys(f.ja).sort(), name).toEqual(Object.keys(f.en).sort());
      for (const k of Object.keys(f.en)) {
        expect(seen.get(k), `${k} in ${name}`).toBeUndefined();
        seen.set(k, name);
      }
    }
    expect(seen.size).toBe(Object.keys(en).length);
  });

  it("give English plurals both forms and Japanese none", () => {
    const plurals = Object.entries(en).filter(([, m]) => typeof m !== "string");
    expect(plurals.length).toBeGreaterThan(0);
    for (const [k, m] of plurals) {
      expect(Object.keys(m).sort(), k).toEqual(["one", "other"]);
      expect(typeof ja[k as keyof typeof ja], k).toBe("string");
    }
  });
});

describe("plurals", () => {
  it("pick English's one and other by the count", () => {
    const t = makeT("en", "en-US");
    expect(t("evidenceCount", { n: 1 })).toBe("1 file");
    expect(t("evidenceCount", { n: 0 })).toBe("0 files");
    expect(t("evidenceCount", { n: 2 })).toBe("2 files");
    expect(t("notificationsSent", { n: 1 })).toBe("1 notification sent");
    expect(t("reportEvidenceFiles", { n: 3 })).toBe("3 evidence files included.");
  });

  it("use Japanese's single form for every count", () => {
    const t = makeT("ja", "ja-JP");
    expect(t("evidenceCount", { n: 1 })).toBe("1 件のファイル");
    expect(t("evidenceCount", { n: 5 })).toBe("5 件のファイル");
  });

  it("format the count in the locale", () => {
    expect(makeT("en", "en-US")("purchaseFiles", { n: 1200 })).toBe("1,200 files");
    expect(makeT("en", "de-DE")("purchaseFiles", { n: 1200 })).toBe("1.200 files");
  });
});

describe("the locale", () => {
  it("follows the UI language, in the region the system prefers for it", () => {
    expect(resolveLocale("en", ["en-US", "ja-JP"])).toBe("en-US");
    expect(resolveLocale("ja", ["en-US", "ja-JP"])).toBe("ja-JP");
    expect(resolveLocale("en", ["de-DE", "en-GB"])).toBe("en-GB");
    // No system locale in that language: the language itself, never another language's region.
    expect(resolveLocale("ja", ["en-US", "de-DE"])).toBe("ja");
    expect(resolveLocale("en", ["not a locale", "en-AU"])).toBe("en-AU");
    expect(makeI18n("ja", ["en-US"]).locale).toBe("ja");
  });

  it("writes dates the way the locale does", () => {
    const at = "2026-11-23T14:05:09Z";
    // Offsets differ by machine: compare with what Intl gives for the same moment.
    const local = new Date(at);
    const day = local.getDate();
    const us = makeFormats("en-US").dateTime(at);
    const gb = makeFormats("en-GB").dateTime(at);
    const jp = makeFormats("ja-JP").dateTime(at);
    expect(us).toMatch(new RegExp(`^Nov ${day}, 2026`));
    expect(gb).toMatch(new RegExp(`^${day} Nov 2026`));
    expect(jp).toMatch(new RegExp(`^2026年11月${day}日`));
    expect(makeFormats("en-GB").dateTimeSeconds(at)).toContain(
      `:${String(local.getSeconds()).padStart(2, "0")}`,
    );
  });

  it("keeps what it cannot read, and shows nothing for no date", () => {
    const f = makeFormats("en-US");
    expect(f.dateTime("yesterday-ish")).toBe("yesterday-ish");
    expect(f.dateTime(null)).toBe("");
  });

  it("writes numbers and sizes the way the locale does", () => {
    expect(makeFormats("en-US").number(1234567)).toBe("1,234,567");
    expect(makeFormats("de-DE").number(1234567)).toBe("1.234.567");
    expect(makeFormats("en-US").bytes(2048)).toBe("2.0 KiB");
    expect(makeFormats("de-DE").bytes(1536)).toBe("1,5 KiB");
    expect(makeFormats("en-US").bytes(5 * 1024 * 1024)).toBe("5.0 MiB");
    expect(makeFormats("ja-JP").bytes(512)).toBe("512 B");
  });
});
