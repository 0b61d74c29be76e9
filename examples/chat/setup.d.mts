// Types for setup.mjs.
export const CHAT: string;
export function copyChat(root: string): void;
export function applyChatV2(root: string): void;
export function freePort(): Promise<number>;
