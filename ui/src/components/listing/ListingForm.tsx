// The listing form: every field of the listing file (product page, fulfillment and buyers,
// dimensions, offer terms), with the lint findings and AWS's validation errors next to the
// field they concern. Lists are edited one entry a line; the page trims them before sending.
import { type ReactNode, useEffect, useState } from "react";
import { type TextKey, useI18n } from "../../i18n";
import type { Finding, ListingDimensionType, MappedError, OfferPricing } from "../../ipc";
import type { EditableListing } from "../../query/listing";

const TYPES: ListingDimensionType[] = ["Entitled", "ExternallyMetered"];
const PRICING: OfferPricing[] = ["Contract", "Usage", "Free"];

/** Findings and errors on `field` or inside it (`dimensions[seats]`, `offer.rates[0]`). */
function onField(field: string, f: string): boolean {
  return f === field || f.startsWith(`${field}[`) || f.startsWith(`${field}.`);
}

const lines = (xs: string[]) => xs.join("\n");

/**
 * The text of a field whose lines are parsed into records (rates, resources): kept as typed, so
 * the separators a half-typed line lacks are not put back under the cursor; taken from the
 * listing again only when the listing changed otherwise (loaded, saved, reset).
 */
function useRawText(formatted: string, format: (raw: string) => string) {
  const [raw, setRaw] = useState(formatted);
  useEffect(() => {
    setRaw((r) => (format(r) === formatted ? r : formatted));
  }, [formatted, format]);
  return [raw, setRaw] as const;
}
const split = (s: string) => s.split("\n");

type Rates = EditableListing["offer"]["rates"];
type Resources = EditableListing["product"]["additional_resources"];

const formatRates = (rs: Rates) =>
  rs.map((r) => [r.dimension, r.duration ?? "", r.price].join(" | ")).join("\n");
const parseRates = (v: string): Rates =>
  split(v).map((line) => {
    const [dimension = "", duration = "", price = ""] = line.split("|").map((x) => x.trim());
    return { dimension, duration: duration || null, price };
  });
const reformatRates = (v: string) => formatRates(parseRates(v));
const formatResources = (rs: Resources) => rs.map((r) => `${r.text} | ${r.url}`).join("\n");
const parseResources = (v: string): Resources =>
  split(v).map((line) => {
    const [text, ...url] = line.split("|");
    return { text: text.trim(), url: url.join("|").trim() };
  });
const reformatResources = (v: string) => formatResources(parseResources(v));

export function ListingForm(props: {
  listing: EditableListing;
  findings: Finding[];
  errors: MappedError[];
  /** The Standard Contract's version (the backend's), written when the seller switches to it. */
  standardEulaVersion: string;
  onChange: (l: EditableListing) => void;
}) {
  const { t, tx } = useI18n();
  const l = props.listing;
  const set = (next: Partial<EditableListing>) => props.onChange({ ...l, ...next });
  const product = (next: Partial<EditableListing["product"]>) =>
    set({ product: { ...l.product, ...next } });
  const offer = (next: Partial<EditableListing["offer"]>) =>
    set({ offer: { ...l.offer, ...next } });

  const notes = (field: string) => {
    const fs = props.findings.filter((f) => onField(field, f.field));
    const es = props.errors.filter((e) => e.fields.some((x) => onField(field, x)));
    if (fs.length === 0 && es.length === 0) return null;
    return (
      <ul className="plain field-notes" data-testid={`notes-${field}`}>
        {fs.map((f) => (
          <li
            key={f.rule + f.field}
            className={`field-${f.severity === "error" ? "error" : "warning"}`}
          >
            {tx(f.message)} <code className="small">{f.rule}</code>
          </li>
        ))}
        {es.map((e, i) => (
          // AWS's errors have no identity beyond their position.
          // biome-ignore lint/suspicious/noArrayIndexKey: positional
          <li key={i} className="field-error">
            <code>{e.code}</code> {e.message}
          </li>
        ))}
      </ul>
    );
  };

  const field = (
    name: string,
    label: TextKey,
    value: string,
    onChange: (v: string) => void,
    opts: { area?: boolean; rows?: number; placeholder?: string } = {},
  ): ReactNode => {
    const id = `listing-field-${name}`;
    return (
      <div className="field">
        <label htmlFor={id}>{t(label)}</label>
        {opts.area ? (
          <textarea
            id={id}
            data-testid={`listing-${name}`}
            value={value}
            rows={opts.rows ?? 3}
            placeholder={opts.placeholder}
            onChange={(e) => onChange(e.target.value)}
          />
        ) : (
          <input
            id={id}
            data-testid={`listing-${name}`}
            value={value}
            placeholder={opts.placeholder}
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => onChange(e.target.value)}
          />
        )}
        {notes(name)}
      </div>
    );
  };

  const dim = (i: number, next: Partial<EditableListing["dimensions"][number]>) =>
    set({ dimensions: l.dimensions.map((d, j) => (j === i ? { ...d, ...next } : d)) });

  const eula = l.offer.eula ?? null;
  const [rates, setRates] = useRawText(formatRates(l.offer.rates), reformatRates);
  const [resources, setResources] = useRawText(
    formatResources(l.product.additional_resources),
    reformatResources,
  );

  return (
    <div className="form listing-form" data-testid="listing-form">
      <fieldset className="card">
        <legend>{t("secProduct")}</legend>
        {field("product.title", "fTitle", l.product.title, (v) => product({ title: v }))}
        {field(
          "product.short_description",
          "fShortDescription",
          l.product.short_description,
          (v) => product({ short_description: v }),
          { area: true, rows: 2 },
        )}
        {field(
          "product.long_description",
          "fLongDescription",
          l.product.long_description,
          (v) => product({ long_description: v }),
          { area: true, rows: 5 },
        )}
        <div className="grid2">
          {field(
            "product.highlights",
            "fHighlights",
            lines(l.product.highlights),
            (v) => product({ highlights: split(v) }),
            { area: true },
          )}
          {field(
            "product.categories",
            "fCategories",
            lines(l.product.categories),
            (v) => product({ categories: split(v) }),
            { area: true },
          )}
          {field(
            "product.search_keywords",
            "fKeywords",
            lines(l.product.search_keywords),
            (v) => product({ search_keywords: split(v) }),
            { area: true },
          )}
          {field(
            "product.video_urls",
            "fVideos",
            lines(l.product.video_urls),
            (v) => product({ video_urls: split(v) }),
            { area: true },
          )}
        </div>
        {field("product.logo_url", "fLogo", l.product.logo_url, (v) => product({ logo_url: v }), {
          placeholder: "https://",
        })}
        {field(
          "product.additional_resources",
          "fResources",
          resources,
          (v) => {
            setResources(v);
            product({ additional_resources: parseResources(v) });
          },
          { area: true, rows: 2 },
        )}
        {field(
          "product.support_description",
          "fSupport",
          l.product.support_description,
          (v) => product({ support_description: v }),
          { area: true, rows: 2 },
        )}
      </fieldset>

      <fieldset className="card">
        <legend>{t("secDelivery")}</legend>
        {field(
          "fulfillment_url",
          "fFulfillment",
          l.fulfillment_url,
          (v) => set({ fulfillment_url: v }),
          {
            placeholder: "https://",
          },
        )}
        {field(
          "allow_listed_buyers",
          "fBuyers",
          lines(l.allow_listed_buyers),
          (v) => set({ allow_listed_buyers: split(v) }),
          { area: true, rows: 2 },
        )}
      </fieldset>

      <fieldset className="card">
        <legend>{t("secDimensions")}</legend>
        <table className="dims" data-testid="listing-dimensions">
          <thead>
            <tr>
              <th>{t("fDimKey")}</th>
              <th>{t("fDimName")}</th>
              <th>{t("fDimDescription")}</th>
              <th>{t("fDimUnit")}</th>
              <th>{t("fDimTypes")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {l.dimensions.map((d, i) => (
              // Rows are edited in place, key included, so position is their identity.
              // biome-ignore lint/suspicious/noArrayIndexKey: editable rows
              <tr key={i}>
                <td>
                  <input
                    value={d.key}
                    aria-label={t("fDimKey")}
                    onChange={(e) => dim(i, { key: e.target.value })}
                  />
                </td>
                <td>
                  <input
                    value={d.name}
                    aria-label={t("fDimName")}
                    onChange={(e) => dim(i, { name: e.target.value })}
                  />
                </td>
                <td>
                  <input
                    value={d.description}
                    aria-label={t("fDimDescription")}
                    onChange={(e) => dim(i, { description: e.target.value })}
                  />
                </td>
                <td>
                  <input
                    value={d.unit}
                    aria-label={t("fDimUnit")}
                    onChange={(e) => dim(i, { unit: e.target.value })}
                  />
                </td>
                <td className="types">
                  {TYPES.map((ty) => (
                    <label key={ty} className="field checkbox small">
                      <input
                        type="checkbox"
                        checked={d.types.includes(ty)}
                        onChange={(e) =>
                          dim(i, {
                            types: e.target.checked
                              ? [...d.types, ty]
                              : d.types.filter((x) => x !== ty),
                          })
                        }
                      />
                      {ty}
                    </label>
                  ))}
                </td>
                <td>
                  <button
                    type="button"
                    className="btn ghost small"
                    onClick={() => set({ dimensions: l.dimensions.filter((_, j) => j !== i) })}
                  >
                    {t("removeDimension")}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {notes("dimensions")}
        <button
          type="button"
          className="btn small"
          onClick={() =>
            set({
              dimensions: [
                ...l.dimensions,
                { key: "", name: "", description: "", unit: "Units", types: ["Entitled"] },
              ],
            })
          }
        >
          + {t("addDimension")}
        </button>
      </fieldset>

      <fieldset className="card">
        <legend>{t("secOffer")}</legend>
        <div className="grid2">
          {field("offer.name", "fOfferName", l.offer.name, (v) => offer({ name: v }))}
          <label className="field">
            <span>{t("fPricing")}</span>
            <select
              data-testid="listing-offer.pricing_model"
              value={l.offer.pricing_model}
              onChange={(e) => offer({ pricing_model: e.target.value as OfferPricing })}
            >
              {PRICING.map((p) => (
                <option key={p} value={p}>
                  {t(`pricing_${p}`)}
                </option>
              ))}
            </select>
          </label>
        </div>
        {field(
          "offer.description",
          "fOfferDescription",
          l.offer.description,
          (v) => offer({ description: v }),
          { area: true, rows: 2 },
        )}
        <div className="grid2">
          {field("offer.currency", "fCurrency", l.offer.currency, (v) => offer({ currency: v }))}
          {field("offer.free_trial", "fFreeTrial", l.offer.free_trial?.duration ?? "", (v) =>
            offer({ free_trial: v.trim() ? { duration: v.trim() } : null }),
          )}
        </div>
        {field(
          "offer.rates",
          "fRates",
          rates,
          (v) => {
            setRates(v);
            offer({ rates: parseRates(v) });
          },
          { area: true, rows: 3, placeholder: "seats | P12M | 1200" },
        )}
        <div className="grid2">
          <label className="field">
            <span>{t("fEula")}</span>
            <select
              data-testid="listing-offer.eula.type"
              value={eula?.type ?? "standard"}
              onChange={(e) =>
                offer({
                  eula:
                    e.target.value === "custom"
                      ? { type: "custom", url: "" }
                      : { type: "standard", version: props.standardEulaVersion },
                })
              }
            >
              <option value="standard">{t("eulaStandard")}</option>
              <option value="custom">{t("eulaCustom")}</option>
            </select>
            {notes("offer.eula")}
          </label>
          {eula?.type === "custom"
            ? field("offer.eula.url", "fEulaUrl", eula.url, (v) =>
                offer({ eula: { type: "custom", url: v } }),
              )
            : field("offer.eula.version", "fEulaVersion", eula?.version ?? "", (v) =>
                offer({ eula: { type: "standard", version: v } }),
              )}
        </div>
        {field(
          "offer.refund_policy",
          "fRefund",
          l.offer.refund_policy,
          (v) => offer({ refund_policy: v }),
          { area: true, rows: 2 },
        )}
        <div className="grid2">
          <label className="field checkbox">
            <input
              type="checkbox"
              data-testid="listing-offer.auto_renewal"
              checked={l.offer.auto_renewal}
              onChange={(e) => offer({ auto_renewal: e.target.checked })}
            />
            {t("fAutoRenewal")}
          </label>
          {field(
            "offer.availability_end_date",
            "fAvailabilityEnd",
            l.offer.availability_end_date ?? "",
            (v) => offer({ availability_end_date: v.trim() ? v.trim() : null }),
          )}
        </div>
      </fieldset>
    </div>
  );
}
