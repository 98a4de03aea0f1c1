// Links to AWS documentation open in the system browser, never inside the app's webview.
import type { ReactNode } from "react";
import { openExternal } from "../ipc";

export function ExternalLink(props: {
  href: string;
  className?: string;
  children: ReactNode;
  onError: (e: unknown) => void;
}) {
  return (
    <a
      className={props.className}
      href={props.href}
      rel="noreferrer"
      onClick={(e) => {
        e.preventDefault();
        openExternal(props.href).catch(props.onError);
      }}
    >
      {props.children}
    </a>
  );
}
