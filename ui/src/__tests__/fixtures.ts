// A small but real-shaped backend for UI tests: the mocked `ipc` module answers from here.
import type {
  Checklist,
  EnvironmentSettings,
  FieldError,
  HistoryEntry,
  KeychainProblem,
  Preferences,
  StatusChange,
  WorkspaceDetail,
} from "../ipc";

export const checklist: Checklist = {
  version: 1,
  phases: [
    {
      id: "seller_registration",
      title: { en: "Seller registration", ja: "セラー登録" },
      summary: { en: "Register the account.", ja: "アカウントを登録します。" },
      steps: ["s01", "s02"],
    },
  ],
  steps: [
    {
      id: "s01",
      number: 1,
      phase: "seller_registration",
      env: "none",
      venue: "aws_console",
      title: { en: "Register as a seller", ja: "セラー登録" },
      todo: { en: "Do the thing.", ja: "作業します。" },
      why: { en: "Because.", ja: "理由です。" },
      doc_url: "https://docs.aws.amazon.com/x",
      blocked_by: [],
      items: ["seller.identity"],
      checks: [],
    },
    {
      id: "s02",
      number: 2,
      phase: "seller_registration",
      env: "none",
      venue: "ammp",
      title: { en: "Public profile and disbursement", ja: "公開プロフィールと支払い設定" },
      todo: { en: "Fill the profile.", ja: "プロフィールを入力します。" },
      why: { en: "Buyers see it.", ja: "購入者が見ます。" },
      doc_url: "https://docs.aws.amazon.com/y",
      blocked_by: ["s01"],
      items: ["seller.public_profile"],
      checks: [],
    },
  ],
  items: [
    {
      id: "seller.identity",
      key: "seller.identity",
      step: "s01",
      category: "Access",
      kind: "automated",
      check: "identity.caller",
      title: {
        en: "Credentials resolve to the seller account",
        ja: "認証情報がセラーアカウントを指している",
      },
      help: { en: "STS says so.", ja: "STS が確認します。" },
      doc_url: "https://docs.aws.amazon.com/x",
      covers: [],
    },
    {
      id: "seller.public_profile",
      key: "seller.public_profile",
      step: "s02",
      category: "Access",
      kind: "attested",
      check: null,
      title: { en: "Public seller profile completed", ja: "公開セラープロフィールを入力済み" },
      help: { en: "Profile is there.", ja: "プロフィールがあります。" },
      doc_url: "https://docs.aws.amazon.com/y",
      covers: [],
    },
  ],
  sources: [],
};

export const emptySettings: EnvironmentSettings = {
  mode: "real",
  credential_source: "default_chain",
  profile: "",
  role_arn: "",
  saas_role_arn: "",
  seller_account_id: "",
  region: "",
  endpoint_url: "",
  product_id: "",
  product_code: "",
  offer_id: "",
  pricing_model: "subscription",
  dimensions: [],
  fulfillment_url: "",
  eula_url: "",
  sqs_queue_url: "",
  subscription_topic_arn: "",
  entitlement_topic_arn: "",
  use_eventbridge: false,
  test_buyer_account_ids: [],
  integration_style: "concurrent_agreements",
};

export function makeBackend() {
  const state = {
    prefs: { language: "en", theme: "light", actor: "", last_workspace_id: "w1" } as Preferences,
    statuses: new Map<
      string,
      { status: StatusChange["status"]; note: string; reason: string | null }
    >(),
    history: [] as HistoryEntry[],
    settings: { ...emptySettings },
    calls: [] as string[],
    deleted: false,
    /** The last keys handed to setAccessKeys: [key id, secret, session token]. */
    keys: null as [string, string, string | null] | null,
    /** What the keychain answers when asked whether keys are stored (null: it answered). */
    keychainProblem: null as KeychainProblem | null,
  };
  const detail = (): WorkspaceDetail => {
    const items = [...state.statuses.entries()].map(([item_id, s]) => ({
      item_id,
      status: s.status,
      note: s.note,
      waiver_reason: s.reason,
      updated_at: "2026-11-23T10:00:00.000Z",
      updated_by: "Tester",
      evidence_count: 0,
    }));
    const done = items.filter((i) =>
      ["passed", "waived", "not_applicable"].includes(i.status),
    ).length;
    return {
      workspace: {
        id: "w1",
        name: "Demo",
        product_name: "Acme Insights (demo)",
        is_demo: true,
        created_at: "2026-11-23T09:00:00.000Z",
        updated_at: "2026-11-23T10:00:00.000Z",
      },
      environments: [
        {
          kind: "staging",
          settings: state.settings,
          has_access_keys: false,
          keychain_problem: state.keychainProblem,
          updated_at: "2026-11-23T10:00:00.000Z",
          demo_saas: false,
        },
        {
          kind: "production",
          settings: emptySettings,
          has_access_keys: false,
          keychain_problem: null,
          updated_at: "2026-11-23T10:00:00.000Z",
          demo_saas: false,
        },
      ],
      items,
      steps: [
        { step_id: "s01", done: 0, total: 1, failed: 0, blocked_by: [] },
        { step_id: "s02", done, total: 1, failed: 0, blocked_by: ["s01"] },
      ],
      phases: [{ phase_id: "seller_registration", done, total: 2 }],
    };
  };
  const validate = (s: EnvironmentSettings): FieldError[] =>
    s.seller_account_id && !/^\d{12}$/.test(s.seller_account_id)
      ? [
          {
            field: "seller_account_id",
            message: {
              en: "An AWS account ID is exactly 12 digits.",
              ja: "AWS アカウント ID は 12 桁の数字です。",
            },
          },
        ]
      : [];
  const api = {
    appInfo: async () => ({
      version: "0.1.0",
      data_dir: "/tmp/data",
      database_path: "/tmp/data/db",
      schema_version: 1,
      implemented_checks: [],
    }),
    getChecklist: async () => checklist,
    getPreferences: async () => state.prefs,
    setPreferences: async (p: Preferences) => {
      state.prefs = p;
      return p;
    },
    listWorkspaces: async () =>
      state.deleted ? [] : [{ workspace: detail().workspace, phases: detail().phases }],
    createWorkspace: async () => detail().workspace,
    getWorkspace: async () => {
      if (state.deleted) throw new Error("No workspace w1.");
      return detail();
    },
    deleteWorkspace: async () => {
      state.deleted = true;
      for (const l of listeners) l({ workspace_id: "w1", kind: "workspaces" });
      return null;
    },
    validateEnvironment: async (s: EnvironmentSettings) => validate(s),
    setAccessKeys: async (
      _w: string,
      _kind: string,
      id: string,
      secret: string,
      sessionToken: string | null,
    ) => {
      state.calls.push("setAccessKeys");
      state.keys = [id, secret, sessionToken];
      return null;
    },
    saveEnvironment: async (_w: string, kind: "staging" | "production", s: EnvironmentSettings) => {
      state.calls.push("saveEnvironment");
      state.settings = s;
      return {
        kind,
        settings: s,
        has_access_keys: false,
        keychain_problem: state.keychainProblem,
        updated_at: "2026-11-23T11:00:00.000Z",
        demo_saas: false,
      };
    },
    setItemStatus: async (c: StatusChange) => {
      state.calls.push(`setItemStatus:${c.item_id}:${c.status}`);
      const from = state.statuses.get(c.item_id)?.status ?? "not_started";
      state.statuses.set(c.item_id, { status: c.status, note: c.note, reason: c.waiver_reason });
      const h: HistoryEntry = {
        item_id: c.item_id,
        from,
        to: c.status,
        note: c.note,
        waiver_reason: c.waiver_reason,
        actor: "Tester",
        source: "user",
        at: "2026-11-23T10:00:00.000Z",
      };
      state.history.unshift(h);
      for (const l of listeners) l({ workspace_id: "w1", kind: "item_status" });
      return h;
    },
    itemHistory: async () => state.history,
    listEvidence: async () => [],
    addEvidence: async () => {
      throw new Error("not in tests");
    },
    reportReady: async () => 1,
    latestCheckResults: async () => [],
    checkHistory: async () => [],
    awsProfiles: async () => ["default"],
    // Change sets re-read at start: none open.
    listingRefresh: async () => [],
  };
  const listeners: ((e: { workspace_id: string | null; kind: string }) => void)[] = [];
  return { state, api, listeners };
}
