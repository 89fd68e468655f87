CREATE TABLE `avatars` (
	`user_id` text PRIMARY KEY NOT NULL,
	`mime` text NOT NULL,
	`data` blob NOT NULL,
	`version` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `channels` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`name` text,
	`member_epoch` integer NOT NULL,
	`last_seq` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `contact_pins` (
	`user_id` text PRIMARY KEY NOT NULL,
	`blob` blob NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `members` (
	`channel_id` text NOT NULL,
	`user_id` text NOT NULL,
	`role` text NOT NULL,
	`joined_seq` integer NOT NULL,
	PRIMARY KEY(`channel_id`, `user_id`),
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `members_user_idx` ON `members` (`user_id`);--> statement-breakpoint
CREATE TABLE `messages` (
	`channel_id` text NOT NULL,
	`seq` integer NOT NULL,
	`kind` text NOT NULL,
	`sender_id` text,
	`key_id` integer,
	`client_msg_id` text,
	`ciphertext` blob,
	`sent_at` integer NOT NULL,
	`deleted` integer NOT NULL,
	`system_event` text,
	`system_user_id` text,
	`system_actor_id` text,
	PRIMARY KEY(`channel_id`, `seq`),
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `messages_client_msg_uq` ON `messages` (`sender_id`,`client_msg_id`);--> statement-breakpoint
CREATE TABLE `read_markers` (
	`user_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`seq` integer NOT NULL,
	PRIMARY KEY(`user_id`, `channel_id`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `sender_key_shares` (
	`channel_id` text NOT NULL,
	`sender_id` text NOT NULL,
	`key_id` integer NOT NULL,
	`recipient_id` text NOT NULL,
	`sealed` blob NOT NULL,
	PRIMARY KEY(`channel_id`, `sender_id`, `key_id`, `recipient_id`),
	FOREIGN KEY (`recipient_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`channel_id`,`sender_id`,`key_id`) REFERENCES `sender_keys`(`channel_id`,`sender_id`,`key_id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `shares_recipient_idx` ON `sender_key_shares` (`channel_id`,`recipient_id`);--> statement-breakpoint
CREATE INDEX `shares_recipient_user_idx` ON `sender_key_shares` (`recipient_id`);--> statement-breakpoint
CREATE TABLE `sender_keys` (
	`channel_id` text NOT NULL,
	`sender_id` text NOT NULL,
	`key_id` integer NOT NULL,
	`epoch` integer NOT NULL,
	PRIMARY KEY(`channel_id`, `sender_id`, `key_id`),
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`sender_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sender_keys_sender_idx` ON `sender_keys` (`sender_id`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sessions_user_idx` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE INDEX `sessions_expires_idx` ON `sessions` (`expires_at`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`username` text NOT NULL,
	`display_name` text NOT NULL,
	`email` text,
	`role` text NOT NULL,
	`disabled` integer NOT NULL,
	`kdf_salt` blob NOT NULL,
	`kdf_alg` text NOT NULL,
	`kdf_opslimit` integer NOT NULL,
	`kdf_memlimit` integer NOT NULL,
	`verifier` text NOT NULL,
	`bundle` text NOT NULL,
	`key_blob` blob NOT NULL,
	`recovery_verifier` text,
	`recovery_blob` blob,
	`avatar_version` integer,
	`created_at` integer NOT NULL,
	`last_seen_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_username_uq` ON `users` (`username`);