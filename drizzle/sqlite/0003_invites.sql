CREATE TABLE `invites` (
	`id` text PRIMARY KEY NOT NULL,
	`code_hash` text NOT NULL,
	`source` text NOT NULL,
	`created_by` text,
	`label` text,
	`username` text,
	`role` text NOT NULL,
	`max_uses` integer NOT NULL,
	`uses` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`revoked` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invites_code_hash_uq` ON `invites` (`code_hash`);