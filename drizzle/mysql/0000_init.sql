CREATE TABLE `avatars` (
	`user_id` varchar(36) NOT NULL,
	`mime` varchar(64) NOT NULL,
	`data` mediumblob NOT NULL,
	`version` bigint NOT NULL,
	CONSTRAINT `avatars_user_id` PRIMARY KEY(`user_id`)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
--> statement-breakpoint
CREATE TABLE `channels` (
	`id` varchar(64) NOT NULL,
	`kind` varchar(16) NOT NULL,
	`name` varchar(128),
	`member_epoch` int NOT NULL,
	`last_seq` bigint NOT NULL,
	`created_at` bigint NOT NULL,
	CONSTRAINT `channels_id` PRIMARY KEY(`id`)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
--> statement-breakpoint
CREATE TABLE `contact_pins` (
	`user_id` varchar(36) NOT NULL,
	`blob` mediumblob NOT NULL,
	CONSTRAINT `contact_pins_user_id` PRIMARY KEY(`user_id`)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
--> statement-breakpoint
CREATE TABLE `members` (
	`channel_id` varchar(64) NOT NULL,
	`user_id` varchar(36) NOT NULL,
	`role` varchar(8) NOT NULL,
	`joined_seq` bigint NOT NULL,
	CONSTRAINT `members_channel_id_user_id_pk` PRIMARY KEY(`channel_id`,`user_id`)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
--> statement-breakpoint
CREATE TABLE `messages` (
	`channel_id` varchar(64) NOT NULL,
	`seq` bigint NOT NULL,
	`kind` varchar(8) NOT NULL,
	`sender_id` varchar(36),
	`key_id` bigint,
	`client_msg_id` varchar(36),
	`ciphertext` mediumblob,
	`sent_at` bigint NOT NULL,
	`deleted` boolean NOT NULL,
	`system_event` varchar(8),
	`system_user_id` varchar(36),
	`system_actor_id` varchar(36),
	CONSTRAINT `messages_channel_id_seq_pk` PRIMARY KEY(`channel_id`,`seq`),
	CONSTRAINT `messages_client_msg_uq` UNIQUE(`sender_id`,`client_msg_id`)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
--> statement-breakpoint
CREATE TABLE `read_markers` (
	`user_id` varchar(36) NOT NULL,
	`channel_id` varchar(64) NOT NULL,
	`seq` bigint NOT NULL,
	CONSTRAINT `read_markers_user_id_channel_id_pk` PRIMARY KEY(`user_id`,`channel_id`)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
--> statement-breakpoint
CREATE TABLE `sender_key_shares` (
	`channel_id` varchar(64) NOT NULL,
	`sender_id` varchar(36) NOT NULL,
	`key_id` bigint NOT NULL,
	`recipient_id` varchar(36) NOT NULL,
	`sealed` blob NOT NULL,
	CONSTRAINT `sender_key_shares_channel_id_sender_id_key_id_recipient_id_pk` PRIMARY KEY(`channel_id`,`sender_id`,`key_id`,`recipient_id`)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
--> statement-breakpoint
CREATE TABLE `sender_keys` (
	`channel_id` varchar(64) NOT NULL,
	`sender_id` varchar(36) NOT NULL,
	`key_id` bigint NOT NULL,
	`epoch` int NOT NULL,
	CONSTRAINT `sender_keys_channel_id_sender_id_key_id_pk` PRIMARY KEY(`channel_id`,`sender_id`,`key_id`)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
--> statement-breakpoint
CREATE TABLE `sessions` (
	`token_hash` varchar(128) NOT NULL,
	`user_id` varchar(36) NOT NULL,
	`created_at` bigint NOT NULL,
	`expires_at` bigint NOT NULL,
	CONSTRAINT `sessions_token_hash` PRIMARY KEY(`token_hash`)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
--> statement-breakpoint
CREATE TABLE `users` (
	`id` varchar(36) NOT NULL,
	`username` varchar(32) NOT NULL,
	`display_name` varchar(128) NOT NULL,
	`email` varchar(254),
	`role` varchar(8) NOT NULL,
	`disabled` boolean NOT NULL,
	`kdf_salt` blob NOT NULL,
	`kdf_alg` varchar(16) NOT NULL,
	`kdf_opslimit` int NOT NULL,
	`kdf_memlimit` bigint NOT NULL,
	`verifier` varchar(255) NOT NULL,
	`bundle` text NOT NULL,
	`key_blob` blob NOT NULL,
	`recovery_verifier` varchar(255),
	`recovery_blob` blob,
	`avatar_version` bigint,
	`created_at` bigint NOT NULL,
	`last_seen_at` bigint,
	CONSTRAINT `users_id` PRIMARY KEY(`id`),
	CONSTRAINT `users_username_uq` UNIQUE(`username`)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
--> statement-breakpoint
ALTER TABLE `avatars` ADD CONSTRAINT `avatars_user_id_users_id_fk` FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `contact_pins` ADD CONSTRAINT `contact_pins_user_id_users_id_fk` FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `members` ADD CONSTRAINT `members_channel_id_channels_id_fk` FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `members` ADD CONSTRAINT `members_user_id_users_id_fk` FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `messages` ADD CONSTRAINT `messages_channel_id_channels_id_fk` FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `read_markers` ADD CONSTRAINT `read_markers_user_id_users_id_fk` FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `read_markers` ADD CONSTRAINT `read_markers_channel_id_channels_id_fk` FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `sender_key_shares` ADD CONSTRAINT `sender_key_shares_recipient_id_users_id_fk` FOREIGN KEY (`recipient_id`) REFERENCES `users`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `sender_key_shares` ADD CONSTRAINT `shares_key_fk` FOREIGN KEY (`channel_id`,`sender_id`,`key_id`) REFERENCES `sender_keys`(`channel_id`,`sender_id`,`key_id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `sender_keys` ADD CONSTRAINT `sender_keys_channel_id_channels_id_fk` FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `sender_keys` ADD CONSTRAINT `sender_keys_sender_id_users_id_fk` FOREIGN KEY (`sender_id`) REFERENCES `users`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE `sessions` ADD CONSTRAINT `sessions_user_id_users_id_fk` FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX `members_user_idx` ON `members` (`user_id`);--> statement-breakpoint
CREATE INDEX `shares_recipient_idx` ON `sender_key_shares` (`channel_id`,`recipient_id`);--> statement-breakpoint
CREATE INDEX `shares_recipient_user_idx` ON `sender_key_shares` (`recipient_id`);--> statement-breakpoint
CREATE INDEX `sender_keys_sender_idx` ON `sender_keys` (`sender_id`);--> statement-breakpoint
CREATE INDEX `sessions_user_idx` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE INDEX `sessions_expires_idx` ON `sessions` (`expires_at`);