CREATE TABLE `kt_bindings` (
	`user_id` text NOT NULL,
	`version` integer NOT NULL,
	`username` text NOT NULL,
	`identity_key` blob NOT NULL,
	`enc_key` blob NOT NULL,
	`enc_key_sig` blob NOT NULL,
	`epoch` integer,
	PRIMARY KEY(`user_id`, `version`)
);
--> statement-breakpoint
CREATE INDEX `kt_bindings_epoch_idx` ON `kt_bindings` (`epoch`);--> statement-breakpoint
CREATE TABLE `kt_heads` (
	`epoch` integer PRIMARY KEY NOT NULL,
	`root` blob NOT NULL,
	`prev_hash` blob NOT NULL,
	`time_ms` integer NOT NULL,
	`sig` blob NOT NULL,
	`hash` blob NOT NULL
);
--> statement-breakpoint
CREATE TABLE `kt_lease` (
	`id` integer PRIMARY KEY NOT NULL,
	`holder` text NOT NULL,
	`expires_at` integer NOT NULL
);
