CREATE TABLE `membership_log` (
	`channel_id` varchar(64) NOT NULL,
	`idx` int NOT NULL,
	`prev` blob NOT NULL,
	`action` varchar(8) NOT NULL,
	`actor_id` varchar(36) NOT NULL,
	`subject_id` varchar(36) NOT NULL,
	`subject_identity_pk` blob NOT NULL,
	`sig` blob NOT NULL,
	`hash` blob NOT NULL,
	CONSTRAINT `membership_log_channel_id_idx_pk` PRIMARY KEY(`channel_id`,`idx`)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
--> statement-breakpoint
ALTER TABLE `channels` ADD `log_length` int DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `messages` ADD `system_log_index` int;--> statement-breakpoint
ALTER TABLE `membership_log` ADD CONSTRAINT `membership_log_channel_id_channels_id_fk` FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON DELETE no action ON UPDATE no action;