CREATE TABLE `kt_bindings` (
	`user_id` varchar(36) NOT NULL,
	`version` int NOT NULL,
	`username` varchar(32) NOT NULL,
	`identity_key` blob NOT NULL,
	`enc_key` blob NOT NULL,
	`enc_key_sig` blob NOT NULL,
	`epoch` int,
	CONSTRAINT `kt_bindings_user_id_version_pk` PRIMARY KEY(`user_id`,`version`)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
--> statement-breakpoint
CREATE TABLE `kt_heads` (
	`epoch` int NOT NULL,
	`root` blob NOT NULL,
	`prev_hash` blob NOT NULL,
	`time_ms` bigint NOT NULL,
	`sig` blob NOT NULL,
	`hash` blob NOT NULL,
	CONSTRAINT `kt_heads_epoch` PRIMARY KEY(`epoch`)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
--> statement-breakpoint
CREATE TABLE `kt_lease` (
	`id` int NOT NULL,
	`holder` varchar(64) NOT NULL,
	`expires_at` bigint NOT NULL,
	CONSTRAINT `kt_lease_id` PRIMARY KEY(`id`)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
--> statement-breakpoint
CREATE INDEX `kt_bindings_epoch_idx` ON `kt_bindings` (`epoch`);