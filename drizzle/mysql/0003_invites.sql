CREATE TABLE `invites` (
	`id` varchar(36) NOT NULL,
	`code_hash` varchar(64) NOT NULL,
	`source` varchar(8) NOT NULL,
	`created_by` varchar(36),
	`label` varchar(64),
	`username` varchar(32),
	`role` varchar(8) NOT NULL,
	`max_uses` int NOT NULL,
	`uses` int NOT NULL,
	`expires_at` bigint NOT NULL,
	`revoked` boolean NOT NULL,
	`created_at` bigint NOT NULL,
	CONSTRAINT `invites_id` PRIMARY KEY(`id`),
	CONSTRAINT `invites_code_hash_uq` UNIQUE(`code_hash`)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
