// Listing as code: an environment's listing, its change sets, the Public request, and which
// checks offer "Fix". Change-set records are written with the store's evidence kind, so their
// answers refresh with it (query/changes.ts).
import { useQuery } from "@tanstack/react-query";
import {
  api,
  type EnvKind,
  type Listing,
  type ListingDimension,
  type OfferInfo,
  type ProductInfo,
  type Rate,
} from "../ipc";
import { qk } from "./keys";

export function useListingDoc(ws: string, env: EnvKind) {
  return useQuery({
    queryKey: qk.listingDoc(ws, env),
    queryFn: () => api.listingLoad(ws, env),
    // Opening a page reads again: AWS may have changed in between.
    staleTime: 0,
    gcTime: 0,
  });
}

export function useListingHistory(ws: string, env: EnvKind) {
  return useQuery({
    queryKey: qk.listingHistory(ws, env),
    queryFn: () => api.listingHistory(ws, env),
  });
}

export function useRelease(ws: string) {
  return useQuery({
    queryKey: qk.release(ws),
    queryFn: () => api.listingRelease(ws),
    staleTime: 0,
  });
}

export function useFixable() {
  return useQuery({
    queryKey: qk.fixable,
    queryFn: () => api.listingFixable(),
    staleTime: Number.POSITIVE_INFINITY,
  }).data;
}

/**
 * A listing with every field present: the file's optional keys (the bindings mark serde's
 * defaults optional) filled with the file's own defaults, so the form edits plain values.
 */
export type EditableListing = {
  format: number;
  fulfillment_url: string;
  allow_listed_buyers: string[];
  product: Required<ProductInfo>;
  dimensions: Required<ListingDimension>[];
  offer: Required<Omit<OfferInfo, "rates">> & { rates: Required<Rate>[] };
};

export function complete(l: Listing): EditableListing {
  const p = l.product;
  const o = l.offer;
  return {
    format: l.format ?? 1,
    fulfillment_url: l.fulfillment_url ?? "",
    allow_listed_buyers: l.allow_listed_buyers ?? [],
    product: {
      title: p.title,
      short_description: p.short_description ?? "",
      long_description: p.long_description ?? "",
      highlights: p.highlights ?? [],
      categories: p.categories ?? [],
      search_keywords: p.search_keywords ?? [],
      logo_url: p.logo_url ?? "",
      video_urls: p.video_urls ?? [],
      additional_resources: p.additional_resources ?? [],
      support_description: p.support_description ?? "",
    },
    dimensions: (l.dimensions ?? []).map((d) => ({
      ...d,
      description: d.description ?? "",
      unit: d.unit ?? "",
    })),
    offer: {
      name: o.name ?? "",
      description: o.description ?? "",
      pricing_model: o.pricing_model,
      currency: o.currency ?? "USD",
      rates: (o.rates ?? []).map((r) => ({ ...r, duration: r.duration ?? null })),
      eula: o.eula ?? null,
      refund_policy: o.refund_policy ?? "",
      auto_renewal: o.auto_renewal ?? false,
      free_trial: o.free_trial ?? null,
      availability_end_date: o.availability_end_date ?? null,
    },
  };
}

/** The listing as sent: list entries trimmed, empty lines (left while typing) dropped. */
export function cleaned(listing: Listing): EditableListing {
  const l = complete(listing);
  const list = (xs: string[]) => xs.map((x) => x.trim()).filter((x) => x !== "");
  return {
    ...l,
    allow_listed_buyers: list(l.allow_listed_buyers),
    product: {
      ...l.product,
      highlights: list(l.product.highlights),
      categories: list(l.product.categories),
      search_keywords: list(l.product.search_keywords),
      video_urls: list(l.product.video_urls),
      additional_resources: l.product.additional_resources.filter(
        (r) => r.text.trim() !== "" || r.url.trim() !== "",
      ),
    },
    offer: {
      ...l.offer,
      rates: l.offer.rates.filter((r) => r.dimension.trim() !== "" || r.price.trim() !== ""),
    },
  };
}
