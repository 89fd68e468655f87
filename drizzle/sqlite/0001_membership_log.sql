CREATE TABLE `membership_log` (
	`channel_id` text NOT NULL,
	`idx` integer NOT NULL,
	`prev` blob NOT NULL,
	`action` text NOT NULL,
	`actor_id` text NOT NULL,
	`subject_id` text NOT NULL,
	`subject_identity_pk` blob NOT NULL,
	`sig` blob NOT NULL,
	`hash` blob NOT NULL,
	PRIMARY KEY(`channel_id`, `idx`),
	FOREIGN KEY (`channel_id`) REFERENCES `channels`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `channels` ADD `log_length` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `messages` ADD `system_log_index` integer;